import PlugboardConformance
import PlugboardKernel
import StoragePostgres
import Testing

@Suite("postgres storage conformance", .enabled(if: PG.reachable || PG.required, "no PostgreSQL at PLUGBOARD_TEST_PG_URL"))
struct PostgresConformanceTests {
    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        let harness = PostgresHarness()
        do {
            try await c.run(harness)
        } catch {
            await harness.dropAll()
            throw error
        }
        await harness.dropAll()
    }
}
