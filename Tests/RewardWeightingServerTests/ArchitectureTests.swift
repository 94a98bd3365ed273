import Foundation
import Testing

/// The rooms of docs/architecture.md stay apart: no policy fold in the store, no read model at the edge.
@Suite struct ArchitectureTests {
    private static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// Every line of the module's Swift files that matches `pattern`, as `file:line: text`.
    private func matches(of pattern: String, in module: String) throws -> [String] {
        let expression = try Regex(pattern)
        let root = Self.sources.appendingPathComponent(module)
        var found: [String] = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.components(separatedBy: "\n").enumerated() where line.contains(expression) {
                found.append("\(file.lastPathComponent):\(number + 1): \(line)")
            }
        }
        return found
    }

    @Test("the stores fold no events")
    func storeFoldsNothing() throws {
        for module in ["RewardWeightingStore", "RewardWeightingPostgres"] {
            #expect(try self.matches(of: #"WeightingPolicy\(|\.(apply|refold|replay)\("#, in: module) == [])
        }
    }

    @Test("the gRPC and HTTP edges compute no read model")
    func edgeHasNoReadModels() throws {
        let pattern = #"WeightingPolicy\(|paretoBuffer\(|Hypervolume\.|ParetoFront\.of|StepHistory\.of"#
        #expect(try self.matches(of: pattern, in: "RewardWeightingServer") == [])
        #expect(try self.matches(of: pattern, in: "RewardWeightingHTTP") == [])
        #expect(
            try self.matches(
                of: #"coordinator\.(getRun|listRuns|front|history|events|watch)\("#, in: "RewardWeightingHTTP"
            ).count >= 6)
    }

    @Test("the sources exist where the test looks for them")
    func sourcesAreFound() throws {
        #expect(try self.matches(of: #"func appendEvents\("#, in: "RewardWeightingStore").count >= 2)
        #expect(try self.matches(of: #"func appendEvents\("#, in: "RewardWeightingPostgres").count == 1)
    }
}
