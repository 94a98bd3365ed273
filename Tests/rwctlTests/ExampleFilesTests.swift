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

    @Test("the README's indicators example: the example's five non-dominated points against its reference front")
    func indicatorsExample() async throws {
        let root = RwctlRun.packageRoot
        let run = try await RwctlRun.run([
            "indicators", root.appendingPathComponent("examples/hypervolume.json").path, "--divisions", "10",
            "--reference-front", root.appendingPathComponent("examples/reference-front.json").path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(number(object["cardinality"]) == 5)
        // C(10 + 2, 2) weights for K = 3.
        #expect(number(object["weights"]) == 66)
        // IGD+ counts only where a point is worse than the reference front; IGD counts both ways.
        let igd = try #require(number(object["igd"]))
        let igdPlus = try #require(number(object["igd_plus"]))
        #expect(igdPlus > 0 && igdPlus <= igd)
    }
}
