import Foundation

/// Where a command reads its input: a file, or standard input when the path is `-`.
struct InputSource {
    /// The path as given on the command line.
    let path: String
    /// How error messages refer to the input (the option or argument it came from), e.g. `--gram`.
    let label: String

    /// A source for `path`, named `label` in messages.
    init(path: String, label: String) {
        self.path = path
        self.label = label
    }

    /// Whether the input is standard input.
    var isStandardInput: Bool { self.path == "-" }

    /// How messages name the input: `stdin` or the path.
    var name: String { self.isStandardInput ? "stdin" : self.path }

    /// Reads the whole input.
    func readAll() throws(InputError) -> [UInt8] {
        let handle = try self.open()
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw InputError("\(self.label): cannot read '\(self.name)': \(error.localizedDescription)")
        }
    }

    /// The input's lines, read as they are needed (so a long stream is never held in memory at once).
    func lines() throws(InputError) -> LineReader {
        LineReader(handle: try self.open(), source: self)
    }

    private func open() throws(InputError) -> FileHandle {
        if self.isStandardInput { return FileHandle.standardInput }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.path, isDirectory: &isDirectory) else {
            throw InputError("\(self.label): cannot read '\(self.path)': no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError("\(self.label): cannot read '\(self.path)': it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: self.path) else {
            throw InputError("\(self.label): cannot read '\(self.path)': permission denied or unreadable")
        }
        return handle
    }
}

/// Splits an input into lines (`\n`, with an optional `\r` before it) while reading it in chunks.
struct LineReader {
    private let handle: FileHandle
    private let source: InputSource
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where to resume looking for `\n`: everything from `start` up to here has been searched already.
    private var scanned = 0
    private var atEnd = false

    fileprivate init(handle: FileHandle, source: InputSource) {
        self.handle = handle
        self.source = source
    }

    /// The next line without its terminator, or `nil` at the end of the input. A final line without a
    /// terminator is returned too.
    mutating func next() throws(InputError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = self.buffer[self.scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > self.start, self.buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = self.buffer[self.start..<end]
                self.start = newline + 1
                self.scanned = self.start
                return line
            }
            if self.atEnd {
                guard self.start < self.buffer.count else { return nil }
                var end = self.buffer.count
                if self.buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = self.buffer[self.start..<end]
                self.start = self.buffer.count
                self.scanned = self.start
                return line
            }
            self.scanned = self.buffer.count
            try self.fill()
        }
    }

    private mutating func fill() throws(InputError) {
        // Drop the lines already returned before appending, so the buffer holds at most one partial line
        // plus one chunk.
        if self.start > 0 {
            self.buffer.removeFirst(self.start)
            self.scanned -= self.start
            self.start = 0
        }
        let chunk: Data?
        do {
            chunk = try self.handle.read(upToCount: 1 << 16)
        } catch {
            throw InputError(
                "\(self.source.label): cannot read '\(self.source.name)': \(error.localizedDescription)")
        }
        if let chunk, !chunk.isEmpty {
            self.buffer.append(contentsOf: chunk)
        } else {
            self.atEnd = true
        }
    }
}
