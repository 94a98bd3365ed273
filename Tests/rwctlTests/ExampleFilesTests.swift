import Foundation
import Testing

@Suite("examples/")
struct ExampleFilesTests {
    @Test("the paper-shaped 3-objective example: dominated and out-of-reference points contribute 0")
    func hypervolumeExample() async throws {
        let file = RwctlRun.packageRoot.appendingPathComponent("examples/hypervolume.json").path
        let run = try await RwctlRun.run(["hypervolume", file, "--contributions"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        let volume = try #require(number(object["hypervolume"]))
        let contributions = try #require(numbers(object["contributions"]))
        #expect(volume > 0)
        #expect(contributions.count == 7)
        #expect(contributions.allSatisfy { $0 >= 0 && $0 <= volume })
        // Point 0 and point 4 are dominated by point 1; point 6 is longer than the reference's 700 tokens.
        #expect(contributions[0] == 0)
        #expect(contributions[4] == 0)
        #expect(contributions[6] == 0)

        let front = try await RwctlRun.run(["front", file])
        #expect(numbers(try front.jsonObject()["indices"]) == [1, 2, 3, 5, 6])
    }
}
