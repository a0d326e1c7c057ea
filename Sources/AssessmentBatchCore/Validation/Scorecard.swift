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
    /// The criterion's name (`label`); empty when the scorecard has none.
    public var label: String = ""
}

/// One scorecard revision, reduced to what validation needs.
public struct Scorecard: Sendable {
    /// The revision id (what assessments call `scorecardId`).
    public var id: Int
    /// categoryId → criterion id → rules.
    public var categories: [Int: [Int: ScorecardCriterion]]
    /// Every criterion in scorecard order: categories by their `order` (array order where
    /// they have none), criteria in array order.
    public var criterionOrder: [CriterionKey] = []
    /// categoryId → the category's name (`label`).
    public var categoryLabels: [Int: String] = [:]

    public init(id: Int, categories: [Int: [Int: ScorecardCriterion]]) {
        self.id = id
        self.categories = categories
        criterionOrder = categories.keys.sorted().flatMap { categoryId in
            categories[categoryId]!.keys.sorted().map { CriterionKey(categoryId: categoryId, criterionId: $0) }
        }
    }

    /// `category 4 "Begrüßung" criterion 10 "Name genannt"`: a criterion with its names, as
    /// plans and conflicts show it (ids alone where the scorecard has no names).
    public func describe(_ key: CriterionKey) -> String {
        func named(_ label: String?) -> String {
            guard let label, !label.isEmpty else { return "" }
            return " " + JSONWriter.string(.string(label))
        }
        return "category \(key.categoryId)\(named(categoryLabels[key.categoryId])) criterion \(key.criterionId)\(named(categories[key.categoryId]?[key.criterionId]?.label))"
    }

    /// Reads a scorecard object as the API returns it (`categories[].criteria[]`).
    public init(json: JSONValue) throws(ScorecardFormatError) {
        guard let object = json.objectValue, let id = object["id"]?.intValue else {
            throw ScorecardFormatError(message: "a scorecard needs an integer id")
        }
        var categories: [Int: [Int: ScorecardCriterion]] = [:]
        var labels: [Int: String] = [:]
        var ordered: [(order: Int, position: Int, keys: [CriterionKey])] = []
        for (position, category) in (object["categories"]?.arrayValue ?? []).enumerated() {
            guard let categoryObject = category.objectValue, let categoryId = categoryObject["categoryId"]?.intValue else {
                throw ScorecardFormatError(message: "scorecard \(id): a category needs an integer categoryId")
            }
            var criteria: [Int: ScorecardCriterion] = [:]
            var keys: [CriterionKey] = []
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
                if criteria[criterionId] == nil { keys.append(CriterionKey(categoryId: categoryId, criterionId: criterionId)) }
                criteria[criterionId] = ScorecardCriterion(id: criterionId, maxPoints: maxPoints, scoringType: scoringType,
                                                           label: criterionObject["label"]?.stringValue ?? "")
            }
            if categories[categoryId] == nil {
                ordered.append((categoryObject["order"]?.intValue ?? Int.max, position, keys))
            }
            categories[categoryId] = criteria
            if let label = categoryObject["label"]?.stringValue { labels[categoryId] = label }
        }
        self.init(id: id, categories: categories)
        categoryLabels = labels
        criterionOrder = ordered.sorted { ($0.order, $0.position) < ($1.order, $1.position) }.flatMap(\.keys)
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
