import Hummingbird
import HummingbirdCore

#if TLS
import HummingbirdTLS
import NIOSSL
#endif

/// The PEM files of an HTTPS simulator.
public struct TLSFiles: Sendable, Equatable {
    /// The server certificate, optionally followed by its intermediates.
    public var certificatePath: String
    /// Its private key (unencrypted).
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}

extension Simulator {
    /// Whether this build can serve HTTPS (the package's `TLS` trait).
    public static var supportsTLS: Bool {
        #if TLS
        return true
        #else
        return false
        #endif
    }

    /// The HTTP/1.1 server, wrapped in TLS when `tls` names the files.
    static func serverBuilder(tls: TLSFiles?) throws(SimulatorError) -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        #if TLS
        let certificates: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(tls.certificatePath)
        } catch {
            throw SimulatorError("cannot read the TLS certificate \(tls.certificatePath): \(error)")
        }
        guard !certificates.isEmpty else { throw SimulatorError("no PEM certificate in \(tls.certificatePath)") }
        do {
            key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
        } catch {
            throw SimulatorError("cannot read the TLS private key \(tls.privateKeyPath): \(error)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            return try .tls(.http1(), tlsConfiguration: configuration)
        } catch {
            throw SimulatorError("cannot set up TLS: \(error)")
        }
        #else
        throw SimulatorError(
            "cannot serve HTTPS with \(tls.certificatePath): this assessment-sim was built without TLS support "
                + "(--disable-default-traits); build it with `swift build --product assessment-sim`")
        #endif
    }
}
