import Foundation
import GRDB
import MesosAPI

/// The registry in a SQLite file under the master's `work_dir`, through GRDB: one row per
/// document, every write one transaction.
public final class SQLiteRegistry: RegistryStore {
    private let db: DatabaseQueue

    public init(path: String) throws {
        db = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "weights") { t in
                t.primaryKey("role", .text)
                t.column("weight", .double).notNull()
            }
            try db.create(table: "quotas") { t in
                t.primaryKey("role", .text)
                t.column("config", .text).notNull()
            }
            try db.create(table: "reservations") { t in
                t.primaryKey("agent_id", .text)
                t.column("resources", .text).notNull()
            }
        }
        migrator.registerMigration("v2-documents") { db in
            try db.create(table: "documents") { t in
                t.primaryKey("name", .text)
                t.column("body", .blob).notNull()
            }
            let documents = try SQLiteRegistry.documents(fromTablesOf: db)
            for (name, body) in documents {
                try db.execute(sql: "INSERT INTO documents (name, body) VALUES (?, ?)", arguments: [name, body])
            }
            for table in ["weights", "quotas", "reservations"] { try db.drop(table: table) }
        }
        try migrator.migrate(db)
    }

    public func read() async throws -> [String: Data] {
        try await db.read { db in
            var out: [String: Data] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, body FROM documents") { out[row["name"]] = row["body"] }
            return out
        }
    }

    public func write(_ documents: [String: Data]) async throws {
        try await db.write { db in
            for (name, body) in documents {
                try db.execute(sql: "INSERT OR REPLACE INTO documents (name, body) VALUES (?, ?)", arguments: [name, body])
            }
        }
    }

    /// A registry written before the registry had documents (weights, quotas and reservations
    /// in their own tables) carried over into them.
    private static func documents(fromTablesOf db: Database) throws -> [String: Data] {
        var state = RegistryState()
        var keys: Set<RegistryLayout.Key> = []
        for row in try Row.fetchAll(db, sql: "SELECT role, weight FROM weights") {
            keys.formUnion(RegistryOperation.setWeights([row["role"]: row["weight"]]).apply(to: &state))
        }
        for row in try Row.fetchAll(db, sql: "SELECT config FROM quotas") {
            let config = try WireCodec.decode(QuotaConfig.self, from: Data((row["config"] as String).utf8))
            keys.formUnion(RegistryOperation.setQuota(config).apply(to: &state))
        }
        for row in try Row.fetchAll(db, sql: "SELECT agent_id, resources FROM reservations") {
            let resources = try WireCodec.decode([Resource].self, from: Data((row["resources"] as String).utf8))
            keys.formUnion(RegistryOperation.setReservations(AgentID(row["agent_id"] as String), resources).apply(to: &state))
        }
        return try RegistryLayout.documents(of: state, keys: keys)
    }
}
