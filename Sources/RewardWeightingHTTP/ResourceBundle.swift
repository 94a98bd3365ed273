import Foundation

/// The HTTP module's SwiftPM resource bundle (`Resources/`: the OpenAPI document and the dashboard page), which
/// ships next to the executable.
///
/// Files are looked up there by hand, not through the generated `Bundle.module` (which stops the process when
/// the bundle is missing): a binary copied without its bundle serves everything else and answers the routes of
/// the missing files with 404.
enum ResourceBundle {
    /// The resource bundle's directory name.
    static let name = "RewardWeighting_RewardWeightingHTTP.resources"

    /// The bundle's directory, or `nil` when it is not next to the executable.
    static let directory: URL? = {
        var candidates = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for candidate in candidates.compactMap({ $0 }) {
            let url = candidate.appendingPathComponent(Self.name, isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url
            }
        }
        return nil
    }()

    /// The bytes of the bundle's file at `path` (relative, `/`-separated), or `nil` when it or the bundle is
    /// missing.
    static func contents(of path: String) -> Data? {
        guard let directory = Self.directory else { return nil }
        return try? Data(contentsOf: directory.appendingPathComponent(path))
    }
}
