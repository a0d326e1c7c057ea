import Foundation
import StrictJSON

extension Journal.Header {
    /// The header's line, the one place it is encoded: `{"journal":1,"tool":"assessment-batch
    /// VERSION","startedAt":…,"workingDirectory":…,"arguments":[…],"inputs":[{"path","sha256"}…]}`.
    func encoded(startedAt: Date) -> [UInt8] {
        var json = JSONStreamWriter(capacity: 256)
        json.beginObject()
        json.key("journal")
        json.int(1)
        json.key("tool")
        json.string("assessment-batch \(toolVersion)")
        json.key("startedAt")
        json.string(RunReport.format(startedAt))
        json.key("workingDirectory")
        json.string(workingDirectory)
        json.key("arguments")
        json.beginArray()
        for argument in arguments { json.string(argument) }
        json.endArray()
        json.key("inputs")
        json.beginArray()
        for input in inputs {
            json.beginObject()
            json.key("path")
            json.string(input.path)
            json.key("sha256")
            json.string(input.sha256)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.bytes.append(UInt8(ascii: "\n"))
        return json.bytes
    }

    /// The header a line written by ``encoded(startedAt:)`` holds; nil for any other line.
    init?(decoding object: JSONObject) {
        guard object["journal"]?.intValue == 1,
              object["tool"]?.stringValue?.hasPrefix("assessment-batch ") == true else { return nil }
        self.init(
            arguments: object["arguments"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            workingDirectory: object["workingDirectory"]?.stringValue ?? ".",
            inputs: (object["inputs"]?.arrayValue ?? []).compactMap { entry in
                guard let path = entry.objectValue?["path"]?.stringValue, let sha = entry.objectValue?["sha256"]?.stringValue else { return nil }
                return (path: path, sha256: sha)
            })
    }
}
