import Foundation
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// Waits until the gRPC transport is bound, then logs the address and, when asked, writes the bound port to a
/// file (what a supervisor or a test reads when the server was started on port 0).
///
/// A `Service` that returns once it has announced (the group is told to ignore that); it needs no shutdown.
struct ListeningAnnouncement: Service {
    let transport: HTTP2ServerTransport.Posix
    let portFile: String?
    let logger: Logger

    func run() async throws {
        let address = try await self.transport.listeningAddress
        let port = address.ipv4?.port ?? address.ipv6?.port
        self.logger.info("gRPC server listening", metadata: ["address": "\(address)"])
        guard let portFile = self.portFile, let port else { return }
        try PortFile.write(port, to: portFile)
        self.logger.debug("bound port written", metadata: ["port_file": "\(portFile)", "port": "\(port)"])
    }
}

/// A file holding a bound port, one line, for a supervisor or a test that started the server on port 0.
enum PortFile {
    /// Writes `port` to `path`, write-then-rename, so that a reader never sees a partial file.
    static func write(_ port: Int, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try Data("\(port)\n".utf8).write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) {
            _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
        } else {
            try FileManager.default.moveItem(at: temporary, to: url)
        }
    }
}
