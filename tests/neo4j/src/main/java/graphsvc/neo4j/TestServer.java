package graphsvc.neo4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A real Neo4j Community server for tests and trying things by hand: the database engine embedded
 * in this process with its Bolt connector on and authentication required, on a fresh store.
 *
 * <pre>java -cp target/classes:$(cat target/classpath.txt) graphsvc.neo4j.TestServer
 *     [--host 127.0.0.1] [--port 0] [--password graphsvc-test] [--watch-stdin]</pre>
 *
 * Port 0 takes a free port. When the server accepts connections it prints one line, its Bolt URI
 * ("bolt://127.0.0.1:40123"), so a parent process knows where to connect. It shuts down cleanly on
 * SIGTERM or SIGINT and, with --watch-stdin, when its standard input closes: a parent that dies (even
 * killed) closes the pipe, so no server outlives the test run that started it. The store lives in a
 * temporary folder deleted at shutdown.
 */
public final class TestServer {
    private static final String DEFAULT_PASSWORD = "graphsvc-test"; // a test password, not a secret

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(options.getOrDefault("port", "0"));
        String password = options.getOrDefault("password", DEFAULT_PASSWORD);
        Path home = Files.createTempDirectory("graphsvc-neo4j-");

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Test graphs are small: a modest page cache keeps the server light beside the suite.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            deleteQuietly(home);
        }, "graphsvc-neo4j-shutdown"));

        // The built-in user starts with a password that must be changed; set the test one for good.
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));

        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        var bolt = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        System.out.println("bolt://" + bolt.getHost() + ":" + bolt.getPort());
        System.out.flush();

        if (options.containsKey("watch-stdin")) {
            while (System.in.read() != -1) {
                // Nothing is read from the parent: only the end of the pipe matters.
            }
            System.exit(0); // runs the shutdown hook
        }
        Thread.currentThread().join(); // until SIGTERM or SIGINT
    }

    private static Map<String, String> options(String[] args) {
        var found = new java.util.HashMap<String, String>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + name);
            }
            if (name.equals("--watch-stdin")) {
                found.put("watch-stdin", "");
            } else if (i + 1 < args.length) {
                found.put(name.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
        }
        return found;
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A temporary folder left behind is harmless; the operating system clears it.
        }
    }
}
