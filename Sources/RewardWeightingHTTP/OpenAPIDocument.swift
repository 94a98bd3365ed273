import Foundation

/// The OpenAPI 3.1 document of these routes (`Resources/openapi.json`, linked as `docs/openapi.json`), which
/// `GET /openapi.json` serves. `clients/python/tests/test_openapi.py` validates it and runs schemathesis against
/// a live server with it, so the document and the routes agree.
///
/// It ships as a SwiftPM resource bundle next to the executable. It is looked up there by hand, not through the
/// generated `Bundle.module` (which stops the process when the bundle is missing): a binary copied without its
/// bundle serves everything else and answers `/openapi.json` with 404.
enum OpenAPIDocument {
    /// The resource bundle's directory name.
    static let bundleName = "RewardWeighting_RewardWeightingHTTP.resources"

    /// The document's bytes, or `nil` when the resource bundle is not next to the executable.
    static let contents: Data? = {
        var directories = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()]
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories.compactMap({ $0 }) {
            let url = directory.appendingPathComponent(Self.bundleName).appendingPathComponent("openapi.json")
            if let data = try? Data(contentsOf: url) { return data }
        }
        return nil
    }()
}
