import AssessmentSimulator
import Foundation

/// A throwaway certificate authority and server certificates made with the `openssl` command
/// in a temporary directory (nothing is committed, nothing leaves the machine).
struct TestCertificates {
    /// Whether HTTPS tests can run: the simulator was built with the `TLS` trait and
    /// `openssl` is on PATH.
    static let available: Bool = Simulator.supportsTLS && openssl != nil

    /// Why HTTPS tests are skipped, for the test listing.
    static let skipNote = "needs `openssl` on PATH and a build with `--traits TLS` (scripts/test does both)"

    static let openssl: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let directory: String
    /// The CA certificate (PEM), for --ca-bundle.
    var caPath: String { "\(directory)/ca.pem" }

    /// Makes a new CA in a new temporary directory.
    init() throws {
        directory = scratchDirectory()
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", "\(directory)/ca.key", "-out", caPath, "-days", "2", "-subj", "/CN=assessment-batch test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// A server certificate signed by this CA for `names` (DNS names or IPv4 addresses).
    func serverFiles(named name: String, for names: [String]) throws -> TLSFiles {
        let key = "\(directory)/\(name).key"
        let request = "\(directory)/\(name).csr"
        let certificate = "\(directory)/\(name).pem"
        let extensions = "\(directory)/\(name).ext"
        let alternativeNames = names.map { $0.allSatisfy { $0.isNumber || $0 == "." } ? "IP:\($0)" : "DNS:\($0)" }
        try Data("subjectAltName=\(alternativeNames.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: URL(fileURLWithPath: extensions))
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", request,
                 "-subj", "/CN=\(names[0])"])
        try run(["x509", "-req", "-in", request, "-CA", caPath, "-CAkey", "\(directory)/ca.key", "-CAcreateserial",
                 "-out", certificate, "-days", "2", "-extfile", extensions])
        return TLSFiles(certificatePath: certificate, privateKeyPath: key)
    }

    private func run(_ arguments: [String]) throws {
        guard let openssl = Self.openssl else { throw CertificateError(message: "openssl is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateError(message: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}

struct CertificateError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
