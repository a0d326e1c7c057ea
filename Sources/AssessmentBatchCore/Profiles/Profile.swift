/// One named enneo instance of the configuration file: where it is, where its token lives,
/// and the options its runs use unless a flag says otherwise. Values are as written (paths
/// keep their `~`); every value is checked when the file is read.
public struct Profile: Sendable, Equatable {
    public var name: String
    /// The line of the profile's name in the file.
    public var line: Int
    /// Its server, token file and connection options, in the shape the command line gives them.
    public var connection = ConnectionFlags()
    public var timezone: String?
    public var encoding: String?
    /// The line of each key given, so a later problem with a value can point at it.
    public var lines: [ProfileKey: Int]

    public init(name: String, line: Int) {
        self.name = name
        self.line = line
        self.lines = [:]
    }
}
