/// The problems of one load, with where they were found: shared by the row sources (whole-file
/// problems) and the grouping stage (row problems), sorted once when loading ends.
final class DiagnosticLog {
    /// The path of each input opened so far, by input index.
    private(set) var paths: [String] = []
    private var located: [(SourceLocation, Diagnostic)] = []
    private var filesWithProblems: Set<Int> = []

    /// Starts a new input; returns its index.
    func open(_ path: String) -> Int {
        paths.append(path)
        return paths.count - 1
    }

    /// Records a row's problems.
    func record(_ problems: [String], at location: SourceLocation) {
        for problem in problems {
            located.append((location, Diagnostic(file: paths[location.input], line: location.line, message: problem)))
        }
    }

    /// Records a problem that makes the whole input unusable (line 0: the file as a whole).
    func fileProblem(_ input: Int, line: Int, _ message: String) {
        filesWithProblems.insert(input)
        located.append((SourceLocation(input: input, line: line), Diagnostic(file: paths[input], line: line, message: message)))
    }

    /// Whether `input` has a problem that makes it unusable.
    func hasFileProblems(_ input: Int) -> Bool {
        filesWithProblems.contains(input)
    }

    /// Whether any input has such a problem.
    var hasAnyFileProblems: Bool { !filesWithProblems.isEmpty }

    /// How a message names a row: by line within the input being read (or the only one),
    /// else by path and line.
    func describe(_ location: SourceLocation) -> String {
        location.input == paths.count - 1 || paths.count == 1 ? "line \(location.line)" : "\(paths[location.input]):\(location.line)"
    }

    /// The first problem of each row that has one.
    func rowProblems() -> [SourceLocation: String] {
        var first: [SourceLocation: String] = [:]
        for (location, diagnostic) in located where location.line > 0 && first[location] == nil {
            first[location] = diagnostic.message
        }
        return first
    }

    /// Every problem, in file and line order (problems of one line in the order found).
    func sorted() -> [Diagnostic] {
        located.enumerated()
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            .map { $0.element.1 }
    }
}
