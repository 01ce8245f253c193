import PlugboardKernel
import Testing

/// `Timestamp.format` writes four-digit years as bytes and other years
/// through the general path; both must give the text stores compare.
@Suite("Timestamp format")
struct TimestampFormatTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (1_704_103_200.0, "2024-01-01T10:00:00Z"),
        (1_704_103_200.5, "2024-01-01T10:00:00.500Z"),
        (1_704_103_200.9996, "2024-01-01T10:00:01Z"),
        (-1.0, "1969-12-31T23:59:59Z"),
        (-0.25, "1969-12-31T23:59:59.750Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z"),
        (-62_167_219_200.0, "0000-01-01T00:00:00Z"),
        (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800.0, "10000-01-01T00:00:00Z"),
    ])
    func format(_ seconds: Double, _ expected: String) {
        #expect(Timestamp.format(seconds) == expected)
    }

    @Test func normalizeGoesThroughFormat() {
        #expect(Timestamp.normalize("2024-01-01 11:30:00+02:00") == "2024-01-01T09:30:00Z")
        #expect(Timestamp.normalize("2024-01-01T10:00:00.123Z") == "2024-01-01T10:00:00.123Z")
    }
}
