import Foundation
import RewardWeightingPolicy
import Testing

@Suite("Append-only histories")
struct AppendOnlyHistoryTests {
    @Test("a history is the array of what was appended, across chunks, and a copy appends on its own")
    func behavesAsAnArray() throws {
        let size = AppendOnlyHistory<Int>.chunkSize
        var history = AppendOnlyHistory<Int>()
        var array: [Int] = []
        for value in 0..<(3 * size + 5) {
            history.append(value * 7)
            array.append(value * 7)
            #expect(Array(history) == array)
            #expect(history.last == array.last)
        }
        #expect(history.count == array.count)
        #expect(history[size] == array[size])
        let copy = history
        var grown = history
        grown.append(-1)
        #expect(Array(copy) == array)
        #expect(Array(grown) == array + [-1])
        #expect(AppendOnlyHistory(array) == history)
        #expect(AppendOnlyHistory(array + [-1]) == grown)
        #expect(AppendOnlyHistory(array) != grown)
    }

    @Test("a history is encoded as the flat array, and decodes from one")
    func codableAsAFlatArray() throws {
        let values = (0..<(2 * AppendOnlyHistory<Int>.chunkSize + 1)).map { $0 * 3 }
        let history = AppendOnlyHistory(values)
        #expect(try JSONEncoder().encode(history) == JSONEncoder().encode(values))
        #expect(try JSONDecoder().decode(AppendOnlyHistory<Int>.self, from: JSONEncoder().encode(values)) == history)
    }
}
