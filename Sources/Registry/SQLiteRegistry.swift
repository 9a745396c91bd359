import Foundation
import GRDB
import MesosAPI

/// The registry in a SQLite file under the master's `work_dir`, through GRDB. Values that
/// are Mesos messages (quota configs, reserved resources) are stored as their wire JSON, so
/// the file reads like the API that wrote it.
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
        try migrator.migrate(db)
    }

    public func load() throws -> RegistryState {
        try db.read { db in
            var state = RegistryState()
            for row in try Row.fetchAll(db, sql: "SELECT role, weight FROM weights") {
                state.weights[row["role"]] = row["weight"]
            }
            for row in try Row.fetchAll(db, sql: "SELECT config FROM quotas") {
                let text: String = row["config"]
                let config = try WireCodec.decode(QuotaConfig.self, from: Data(text.utf8))
                state.quotas[config.role] = config
            }
            for row in try Row.fetchAll(db, sql: "SELECT agent_id, resources FROM reservations") {
                let text: String = row["resources"]
                state.reservations[AgentID(row["agent_id"] as String)] =
                    try WireCodec.decode([Resource].self, from: Data(text.utf8))
            }
            return state
        }
    }

    public func setWeights(_ weights: [String: Double]) throws {
        try db.write { db in
            for (role, weight) in weights {
                try db.execute(sql: "INSERT OR REPLACE INTO weights (role, weight) VALUES (?, ?)",
                               arguments: [role, weight])
            }
        }
    }

    public func setQuota(_ config: QuotaConfig) throws {
        let json = String(decoding: try WireCodec.encode(config), as: UTF8.self)
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO quotas (role, config) VALUES (?, ?)",
                           arguments: [config.role, json])
        }
    }

    public func removeQuota(role: String) throws {
        try db.write { db in try db.execute(sql: "DELETE FROM quotas WHERE role = ?", arguments: [role]) }
    }

    public func setReservations(_ resources: [Resource], agent: AgentID) throws {
        let json = String(decoding: try WireCodec.encode(resources), as: UTF8.self)
        try db.write { db in
            if resources.isEmpty {
                try db.execute(sql: "DELETE FROM reservations WHERE agent_id = ?", arguments: [agent.value])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO reservations (agent_id, resources) VALUES (?, ?)",
                               arguments: [agent.value, json])
            }
        }
    }
}
