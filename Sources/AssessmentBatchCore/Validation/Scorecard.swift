/// How a criterion is scored.
public enum ScoringType: String, Sendable {
    /// Any whole number from 0 to `maxPoints`.
    case numericScale
    /// Either 0 (not met) or `maxPoints` (met).
    case metNotMet
}

/// The scoring rules of one criterion on a scorecard revision.
public struct ScorecardCriterion: Sendable {
    public var id: Int
    public var maxPoints: Int
    public var scoringType: ScoringType
}

/// One scorecard revision, reduced to what validation needs.
public struct Scorecard: Sendable {
    /// The revision id (what assessments call `scorecardId`).
    public var id: Int
    /// categoryId → criterion id → rules.
    public var categories: [Int: [Int: ScorecardCriterion]]

    public init(id: Int, categories: [Int: [Int: ScorecardCriterion]]) {
        self.id = id
        self.categories = categories
    }

    /// Reads a scorecard object as the API returns it (`categories[].criteria[]`).
    public init(json: JSONValue) throws(ScorecardFormatError) {
        guard let object = json.objectValue, let id = object["id"]?.intValue else {
            throw ScorecardFormatError(message: "a scorecard needs an integer id")
        }
        var categories: [Int: [Int: ScorecardCriterion]] = [:]
        for category in object["categories"]?.arrayValue ?? [] {
            guard let categoryObject = category.objectValue, let categoryId = categoryObject["categoryId"]?.intValue else {
                throw ScorecardFormatError(message: "scorecard \(id): a category needs an integer categoryId")
            }
            var criteria: [Int: ScorecardCriterion] = [:]
            for criterion in categoryObject["criteria"]?.arrayValue ?? [] {
                guard let criterionObject = criterion.objectValue,
                      let criterionId = criterionObject["id"]?.intValue,
                      let maxPoints = criterionObject["maxPoints"]?.intValue,
                      let typeName = criterionObject["scoringType"]?.stringValue,
                      let scoringType = ScoringType(rawValue: typeName)
                else {
                    throw ScorecardFormatError(
                        message: "scorecard \(id) category \(categoryId): a criterion needs id, maxPoints and scoringType (numericScale or metNotMet)")
                }
                criteria[criterionId] = ScorecardCriterion(id: criterionId, maxPoints: maxPoints, scoringType: scoringType)
            }
            categories[categoryId] = criteria
        }
        self.init(id: id, categories: categories)
    }

    /// What is wrong with `update` on this scorecard, or nil when it fits.
    public func problem(with update: CriterionUpdate) -> String? {
        guard let category = categories[update.categoryId] else {
            return "category \(update.categoryId) is not on scorecard \(id)"
        }
        guard let criterion = category[update.criterionId] else {
            return "criterion \(update.criterionId) is not in category \(update.categoryId) of scorecard \(id)"
        }
        guard let score = update.score else { return nil }
        switch criterion.scoringType {
        case .numericScale where score > criterion.maxPoints:
            return "score \(score) is out of range for \(update.key) (numericScale: 0…\(criterion.maxPoints))"
        case .metNotMet where score != 0 && score != criterion.maxPoints:
            return "score \(score) is out of range for \(update.key) (metNotMet: 0 or \(criterion.maxPoints))"
        default:
            return nil
        }
    }
}

/// A scorecards file that does not hold scorecards as the API returns them.
public struct ScorecardFormatError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Scorecard revisions by id.
public struct ScorecardCatalog: Sendable {
    public var scorecards: [Int: Scorecard]

    public init(_ scorecards: [Scorecard]) {
        self.scorecards = Dictionary(scorecards.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads a JSON array of scorecard objects (the body of `GET /quality/scorecard`).
    public static func load(path: String) throws -> ScorecardCatalog {
        let bytes = try readWholeFile(path: path, limit: 256 << 20)
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBytes { buffer throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            throw ScorecardFormatError(message: "\(path): not valid JSON: \(error)")
        }
        guard let array = value.arrayValue else {
            throw ScorecardFormatError(message: "\(path): expected a JSON array of scorecards")
        }
        do {
            return ScorecardCatalog(try array.map { element throws(ScorecardFormatError) in try Scorecard(json: element) })
        } catch {
            throw ScorecardFormatError(message: "\(path): \(error.message)")
        }
    }
}
