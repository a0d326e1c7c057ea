import Testing
@testable import AssessmentBatchCore

/// `FieldDescriptor.table` and what derives from it: every entry is read, stored, merged,
/// sent, compared, restored and exported through the table, so a new entry cannot be missed
/// by one of them.
@Suite struct FieldTableTests {
    /// A value of `field`'s kind.
    private static func sample(_ field: FieldDescriptor) -> FieldValue {
        switch field.kind {
        case .text: .text("text of \(field.name)")
        case .dateTime:
            if case .success(let date) = Timestamp.parse("2025-06-02T10:00:00+02:00") { .date(date) } else { .text("") }
        case .state: .state(.discussedWithAssessee)
        case .positiveInteger: .integer(7)
        }
    }

    @Test func everyFieldHasItsOwnColumnAndBefore() {
        var seen: Set<Column> = []
        for (index, field) in FieldDescriptor.table.enumerated() {
            #expect(field.column.fieldIndex == index, "\(field.name)")
            #expect(field.column.field?.column == field.column)
            #expect(!field.column.isBefore && !field.column.isIgnoredOnInput, "\(field.name)")
            #expect(seen.insert(field.column).inserted, "\(field.name) twice")
            if let before = field.before {
                #expect(before.isBefore && before.fieldIndex == index && field.column.beforeColumn == before, "\(field.name)")
                #expect(before.rawValue == field.name + "Before")
                #expect(before.beforeColumn == nil)
            }
        }
        // Every Before column belongs to a criterion value or to a field of the table.
        let fieldBefores = Set(FieldDescriptor.table.compactMap(\.before))
        #expect(Set(Column.before) == fieldBefores.union([.scoreBefore, .reasonBefore]))
    }

    /// `Column.fieldIndex` is a switch: it must say what the table says, for every column.
    @Test func fieldIndexFollowsTheTable() {
        for column in Column.allCases {
            let expected = FieldDescriptor.table.firstIndex { $0.column == column || $0.before == column }
            #expect(column.fieldIndex == expected, "\(column)")
        }
    }

    /// `AssessmentFields` stores each entry in the property named like it, and the typed
    /// comparison grouping uses agrees with the values.
    @Test func eachIndexReachesThePropertyNamedLikeItsEntry() {
        for (index, field) in FieldDescriptor.table.enumerated() {
            var fields = AssessmentFields()
            fields[field: index] = Self.sample(field)
            let set = Mirror(reflecting: fields).children.filter { "\($0.value)" != "nil" }.compactMap(\.label)
            #expect(set == [field.name], "\(field.name)")
            var other = AssessmentFields()
            #expect(other.agrees(with: fields, field: index) && !fields.agrees(with: other, field: index), "\(field.name)")
            other[field: index] = Self.sample(field)
            #expect(fields.agrees(with: other, field: index), "\(field.name)")
        }
    }

    /// The fixed-size places hold every field and every column.
    @Test func fixedSizeStorageHoldsTheTable() {
        #expect(FieldSources.capacity >= FieldDescriptor.table.count)
        #expect(ColumnSet.capacity >= Column.allCases.count)
        var all = ColumnSet()
        for column in Column.allCases {
            var one = ColumnSet()
            one.insert(column)
            #expect(one.contains(column) && Array(one) == [column], "\(column)")
            all.insert(column)
        }
        #expect(Array(all) == Column.allCases)
    }

    @Test func fieldSourcesKeepAnIndexPerField() {
        var sources = FieldSources()
        for (index, field) in FieldDescriptor.table.enumerated() { sources[field.column] = 100 + index }
        for (index, field) in FieldDescriptor.table.enumerated() { #expect(sources[field.column] == 100 + index) }
        #expect(sources[.score] == nil)
    }

    @Test func assessmentFieldsStoreEveryField() {
        var fields = AssessmentFields()
        #expect(!fields.setsAnyValue && fields == AssessmentFields())
        for field in FieldDescriptor.table {
            fields[field.column] = Self.sample(field)
        }
        for field in FieldDescriptor.table {
            #expect(fields[field.column] == Self.sample(field), "\(field.name)")
        }
        #expect(fields.setsAnyValue)
        fields.clear()
        #expect(fields == AssessmentFields())
        // Guards alone are not values to write.
        fields.scorecardId = 7
        #expect(!fields.setsAnyValue)
        #expect(fields[.score] == nil)
    }

    /// Every field a row sets is read from its column, in CSV and in JSONL alike.
    @Test func everyFieldIsReadFromItsColumn() {
        let header = FieldDescriptor.table.map(\.name)
        let cells = FieldDescriptor.table.map { Self.sample($0).plain }
        let batch = load("assessmentId," + header.joined(separator: ",") + "\n901," + cells.joined(separator: ",") + "\n")
        #expect(batch.problems == [])
        let fields = batch.updates.first?.fields ?? AssessmentFields()
        for field in FieldDescriptor.table {
            #expect(fields[field.column] == Self.sample(field), "\(field.name)")
        }
    }

    /// Rows of one assessment that disagree on any field are held back, naming the field.
    @Test(arguments: FieldDescriptor.table.indices)
    func rowsMustAgreeOnEveryField(_ index: Int) {
        let field = FieldDescriptor.table[index]
        let other: String = switch field.kind {
        case .text: "other"
        case .dateTime: "2025-06-03T10:00:00Z"
        case .state: "reviewedBySupervisor"
        case .positiveInteger: "8"
        }
        let batch = load("assessmentId,categoryId,criterionId,score,\(field.name)\n901,1,2,3,\(Self.sample(field).plain)\n901,1,3,3,\(other)\n")
        #expect(batch.problems == ["3: \(field.name) for assessment 901 differs from line 2"])
    }

    @Test func thePatchBodySendsWrittenFieldsOnly() {
        var update = AssessmentUpdate(assessmentId: 901, criteria: [CriterionUpdate(categoryId: 1, criterionId: 2, score: 3)])
        for field in FieldDescriptor.table { update.fields[field.column] = Self.sample(field) }
        var body: [UInt8] = []
        update.appendPatchBody(to: &body)
        let object = body.withUnsafeBytes { try? JSONParser.parse($0) }?.objectValue
        let keys = object?.members.map(\.key) ?? []
        let before = FieldDescriptor.table.filter { $0.role == .written(afterCriteria: false) }.map(\.name)
        let after = FieldDescriptor.table.filter { $0.role == .written(afterCriteria: true) }.map(\.name)
        #expect(keys == before + ["criteria"] + after)
        for field in FieldDescriptor.written {
            #expect(object?[field.name] == Self.sample(field).json, "\(field.name)")
        }
    }

    /// The answer reader fills every field from its live key (texts and dates also from `data`).
    @Test func theAnswerReaderReadsEveryField() throws {
        var members: [String] = []
        for field in FieldDescriptor.table {
            members.append("\(JSONWriter.string(.string(field.liveKey))):\(JSONWriter.string(Self.sample(field).json))")
        }
        let answer = "{\"id\":901,\"data\":{\"categories\":[]}," + members.joined(separator: ",") + "}"
        let live = try #require(Array(answer.utf8).withUnsafeBytes { LiveAssessment(answer: $0) })
        for field in FieldDescriptor.table {
            #expect(live.fields[field.column] == Self.sample(field), "\(field.name)")
        }
        let inData = FieldDescriptor.table.filter(\.liveInData)
        let nested = "{\"id\":901,\"data\":{" + inData.map { "\(JSONWriter.string(.string($0.liveKey))):\(JSONWriter.string(Self.sample($0).json))" }.joined(separator: ",") + "}}"
        let fromData = try #require(Array(nested.utf8).withUnsafeBytes { LiveAssessment(answer: $0) })
        for field in inData { #expect(fromData.fields[field.column] == Self.sample(field), "\(field.name)") }
    }

    /// After a write, every written field that the server does not hold is a difference.
    @Test func differencesCoverEveryWrittenField() {
        var update = AssessmentUpdate(assessmentId: 901)
        for field in FieldDescriptor.table { update.fields[field.column] = Self.sample(field) }
        let differences = LiveAssessment().differences(from: update)
        #expect(differences.map { String($0.prefix(while: { $0 != " " })) } == FieldDescriptor.written.map(\.name))
        var live = LiveAssessment()
        live.fields = update.fields
        #expect(live.differences(from: update) == [])
    }

    /// The export sheet has each exported field beside its Before, filled from the live value.
    @Test func theExportSheetFollowsTheTable() {
        let exported = FieldDescriptor.table.filter { $0.export != .none }
        let columns = ExportSheet.columns
        for field in exported {
            let position = columns.firstIndex(of: field.column)
            #expect(position != nil && field.before.map { columns.firstIndex(of: $0) == position! + 1 } ?? true, "\(field.name)")
        }
        var live = LiveAssessment()
        for field in FieldDescriptor.table { live.fields[field.column] = Self.sample(field) }
        let rows = ExportSheet.rows(live, id: 901, scorecard: Scorecard(id: 7, categories: [:]))
        for field in exported {
            let cells = [field.column] + (field.before.map { [$0] } ?? [])
            for column in cells {
                guard let position = columns.firstIndex(of: column) else { continue }
                let shown: String? = switch rows[0][position] {
                case .text(let text): text
                case .number(let number): String(number)
                default: nil
                }
                let expected = column == field.column && field.export == .beforeOnly ? nil : Self.sample(field).plain
                #expect(shown == expected, "\(column)")
            }
        }
    }
}
