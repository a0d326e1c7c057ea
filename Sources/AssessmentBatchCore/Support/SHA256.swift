#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming SHA-256 (FIPS 180-4), for the input digests in reports and journals. Copies are
/// independent, like any value.
///
/// The work is done by OpenSSL's libcrypto when the process has it loaded (libcurl's OpenSSL
/// build brings it along): it uses the CPU's SHA instructions, several times faster than
/// portable code, and hashing must keep up with parsing. Its functions are looked up at run
/// time, so building needs no OpenSSL headers (only libcurl's); without them, a portable
/// implementation does the same work. The package carries no packaged SHA-256 that would not
/// add minutes to every clean build (swift-crypto). It runs on a second thread while the file
/// is parsed (`ChunkedFileReader.forEachChunk(hashingInto:_:)`).
public struct SHA256 {
    private var libcrypto: LibcryptoSHA256?
    private var portable: PortableSHA256?

    public init() {
        self.init(portable: false)
    }

    /// - Parameter portable: use the portable code even when libcrypto is there (for tests).
    init(portable: Bool) {
        if !portable, let functions = Libcrypto.functions, let context = LibcryptoSHA256(functions) {
            libcrypto = context
        } else {
            self.portable = PortableSHA256()
        }
    }

    /// Whether libcrypto does the work.
    var usesLibcrypto: Bool { libcrypto != nil }

    /// Adds bytes to the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if let shared = libcrypto {
            if !isKnownUniquelyReferenced(&libcrypto) {
                // Only allocation can fail here; a digest that silently lost bytes would be worse.
                guard let copy = shared.copy() else { fatalError("cannot copy a SHA-256 context") }
                libcrypto = copy
            }
            libcrypto?.update(bytes)
        } else {
            portable?.update(bytes)
        }
    }

    /// The digest as 64 lower-case hex digits; ends the digest.
    public mutating func finalizeHex() -> String {
        let words: [UInt8] = libcrypto?.finalize() ?? portable?.finalize() ?? []
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in words {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// The libcrypto functions SHA-256 needs, found in the running process (never loaded by us).
private struct Libcrypto: @unchecked Sendable {
    // @unchecked: C function pointers, immutable once found.
    let newContext: @convention(c) () -> OpaquePointer?
    let freeContext: @convention(c) (OpaquePointer?) -> Void
    let copyContext: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let sha256: @convention(c) () -> OpaquePointer?
    let initialize: @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
    let update: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
    let finalize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?) -> Int32

    static let functions: Libcrypto? = {
        func find<T>(_ name: String, as type: T.Type) -> T? {
            // A null handle is RTLD_DEFAULT: the libraries already loaded.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        }
        guard let newContext = find("EVP_MD_CTX_new", as: (@convention(c) () -> OpaquePointer?).self),
              let freeContext = find("EVP_MD_CTX_free", as: (@convention(c) (OpaquePointer?) -> Void).self),
              let copyContext = find("EVP_MD_CTX_copy_ex", as: (@convention(c) (OpaquePointer?, OpaquePointer?) -> Int32).self),
              let sha256 = find("EVP_sha256", as: (@convention(c) () -> OpaquePointer?).self),
              let initialize = find("EVP_DigestInit_ex", as: (@convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32).self),
              let update = find("EVP_DigestUpdate", as: (@convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32).self),
              let finalize = find("EVP_DigestFinal_ex",
                                  as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?) -> Int32).self)
        else { return nil }
        return Libcrypto(newContext: newContext, freeContext: freeContext, copyContext: copyContext, sha256: sha256,
                         initialize: initialize, update: update, finalize: finalize)
    }()
}

/// One libcrypto digest context.
private final class LibcryptoSHA256 {
    private let functions: Libcrypto
    private let context: OpaquePointer

    init?(_ functions: Libcrypto) {
        guard let context = functions.newContext() else { return nil }
        self.functions = functions
        self.context = context
        guard functions.initialize(context, functions.sha256(), nil) == 1 else { return nil }
    }

    private init?(copying other: LibcryptoSHA256) {
        guard let context = other.functions.newContext() else { return nil }
        functions = other.functions
        self.context = context
        guard functions.copyContext(context, other.context) == 1 else { return nil }
    }

    deinit { functions.freeContext(context) }

    func copy() -> LibcryptoSHA256? {
        LibcryptoSHA256(copying: self)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // Cannot fail for an initialised SHA-256 context.
        _ = functions.update(context, base, bytes.count)
    }

    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { functions.finalize(context, $0.baseAddress, &length) }
        return digest
    }
}

/// SHA-256 in Swift, for a process without libcrypto.
private struct PortableSHA256 {
    private var state: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// Adds bytes to the digest.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length += UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
            offset += 64
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    /// The digest's 32 bytes; ends the digest.
    mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (56 - (Int(length % 64) + 1) % 64 + 64) % 64
        tail.append(contentsOf: repeatElement(0, count: padding))
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        let savedLength = length
        tail.withUnsafeBytes { update($0) }
        length = savedLength
        return state.flatMap { word in stride(from: 24, through: 0, by: -8).map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        // The message schedule lives on the stack: a heap array per 64-byte block cost more
        // than the hashing itself.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            state.withUnsafeMutableBufferPointer { state in
                var a = state[0], b = state[1], c = state[2], d = state[3]
                var e = state[4], f = state[5], g = state[6], h = state[7]
                Self.k.withUnsafeBufferPointer { k in
                    // Eight rounds per pass with the roles of the variables rotated, so no
                    // round moves eight words around.
                    var i = 0
                    while i < 64 {
                        sha256Round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                        sha256Round(h, a, b, &c, d, e, f, &g, k[i + 1] &+ w[i + 1])
                        sha256Round(g, h, a, &b, c, d, e, &f, k[i + 2] &+ w[i + 2])
                        sha256Round(f, g, h, &a, b, c, d, &e, k[i + 3] &+ w[i + 3])
                        sha256Round(e, f, g, &h, a, b, c, &d, k[i + 4] &+ w[i + 4])
                        sha256Round(d, e, f, &g, h, a, b, &c, k[i + 5] &+ w[i + 5])
                        sha256Round(c, d, e, &f, g, h, a, &b, k[i + 6] &+ w[i + 6])
                        sha256Round(b, c, d, &e, f, g, h, &a, k[i + 7] &+ w[i + 7])
                        i += 8
                    }
                }
                state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
                state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
            }
        }
    }
}

/// One SHA-256 round: `d` and `h` take their new values; the caller rotates the roles.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw
    d = d &+ t1
    h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
