import Election
import Foundation
import Logging
import Master
import Registry
import ZooKeeper

/// `plinth master --zk`: the master contends for leadership and serves only once elected; until
/// then it sends clients to the leader. A leader that loses its ZooKeeper session, or sees
/// another master elected, exits at once (as Mesos's masters do), so a supervisor restarts it
/// as a candidate and two masters never act as leader together.
enum MasterElection {
    static func run(url: ZooKeeperURL, sessionTimeout: Duration, master: Master, gate: LeaderGate,
                    logger: Logger) async {
        let client = ZooKeeperClient(hosts: url.hosts, sessionTimeout: sessionTimeout, logger: logger)
        while true {
            do {
                try await client.connect()
                break
            } catch {
                logger.warning("Cannot reach ZooKeeper at \(url.hosts.joined(separator: ",")): \(error); retrying")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let contender = MasterContender(client: client, path: url.path, info: master.info, logger: logger)
        let news: AsyncStream<Leadership>
        do {
            news = try await contender.contend()
        } catch {
            abdicate("Failed to contend for leadership in ZooKeeper at \(url.path): \(error)")
        }
        for await leadership in news {
            switch leadership {
            case .leading:
                guard gate.state != .leading else { continue }
                // Elected but not yet recovered: clients get 503, not a redirect to the dead leader.
                gate.state = .following(leader: nil)
                do {
                    guard let fence = await contender.candidacyPath else { abdicate("Elected without a candidacy") }
                    let registry = ZooKeeperRegistry(client: client, path: "\(url.path)/registry", fence: fence)
                    try await master.start(registry: registry)
                } catch {
                    abdicate("Elected, but failed to recover the registry: \(error)")
                }
                gate.state = .leading
                say("Elected as the leading master")
            case .following(let leader):
                if gate.state == .leading { abdicate("Another master was elected; this one no longer leads") }
                gate.state = .following(leader: leader.map(Candidacy.address(of:)))
                if let leader { say("Following the leading master at \(Candidacy.address(of: leader))") }
            case .noLeader:
                if gate.state == .leading { abdicate("This master's candidacy vanished from ZooKeeper") }
                gate.state = .following(leader: nil)
            case .sessionLost:
                abdicate("Lost the ZooKeeper session")
            }
        }
        abdicate("The ZooKeeper election ended")
    }

    static func abdicate(_ reason: String) -> Never {
        say("\(reason); exiting so that no two masters lead at once")
        exit(1)
    }
}
