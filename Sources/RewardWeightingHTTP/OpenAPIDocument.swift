import Foundation

/// The OpenAPI 3.1 document of these routes (`Resources/openapi.json`, linked as `docs/openapi.json`), which
/// `GET /openapi.json` serves. `clients/python/tests/test_openapi.py` validates it and runs schemathesis against
/// a live server with it, so the document and the routes agree.
enum OpenAPIDocument {
    /// The document's bytes, or `nil` when the resource bundle is not next to the executable
    /// (``ResourceBundle``).
    static let contents: Data? = ResourceBundle.contents(of: "openapi.json")
}
