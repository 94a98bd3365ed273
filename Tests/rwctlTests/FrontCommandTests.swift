import Foundation
import Testing

@Suite("rwctl front")
struct FrontCommandTests {
    @Test("keeps the non-dominated points, first copy of equal ones, in input order")
    func front() async throws {
        let input = #"{"points": [[1, 3], [2, 2], [0.5, 0.5], [3, 1], [2, 2]]}"#
        let run = try await RwctlRun.run(["front", "-"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(Set(object.keys) == ["indices", "points"])
        #expect(numbers(object["indices"]) == [0, 1, 3])
        let points = try #require(object["points"] as? [Any]).compactMap(numbers)
        #expect(points == [[1, 3], [2, 2], [3, 1]])
    }

    @Test("decides dominance after mapping to maximisation, prints the original coordinates")
    func minimization() async throws {
        let input = #"{"points": [[1, 3], [2, 2], [4, 4], [3, 1]], "maximize": false}"#
        let run = try await RwctlRun.run(["front", "-"], stdin: input)
        let object = try run.jsonObject()
        #expect(numbers(object["indices"]) == [0, 1, 3])
        let points = try #require(object["points"] as? [Any]).compactMap(numbers)
        #expect(points == [[1, 3], [2, 2], [3, 1]])
    }

    @Test("reads CSV with a header without a reference point, and validates one when given")
    func csv() async throws {
        let csv = "accuracy,length\n0.6,700\n0.7,650\n0.65,600\n0.5,800\n"
        let run = try await RwctlRun.run(["front", "-", "--directions", "max,min"], stdin: csv)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(numbers(try run.jsonObject()["indices"]) == [1, 2])

        let wrongReference = try await RwctlRun.run(
            ["front", "-", "--reference", "0,0,0", "--directions", "max,min"], stdin: csv)
        #expect(wrongReference.status == 2)
        #expect(wrongReference.stderr.contains("reference"))
    }

    @Test("an empty set has an empty front")
    func empty() async throws {
        let run = try await RwctlRun.run(["front", "-"], stdin: #"{"points": []}"#)
        #expect(run.status == 0)
        let object = try run.jsonObject()
        #expect(numbers(object["indices"]) == [])
        #expect((object["points"] as? [Any])?.isEmpty == true)
    }
}
