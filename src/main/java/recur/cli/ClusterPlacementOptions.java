package recur.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import recur.scaling.ClusterPlacement;
import recur.scaling.LaunchTemplate;

/**
 * The checks and the echo of {@code recur experiment scaling}'s placement options (--cluster-config,
 * --cluster-host, --cluster-port, --launch, --hosts): each mistake is one line naming the option.
 */
final class ClusterPlacementOptions {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

    private ClusterPlacementOptions() {}

    /** The placement the options describe ({@link ClusterPlacement#LOCAL} when none is given). */
    static ClusterPlacement check(boolean cluster, Path config, String host, int port, String launch,
                                  List<String> hosts) {
        boolean any = config != null || !host.equals("127.0.0.1") || port != 0 || launch != null || !hosts.isEmpty();
        if (!cluster) {
            if (any) {
                throw new UserError("--cluster-config, --cluster-host, --cluster-port, --launch and --hosts are for "
                        + "--cluster: add --cluster (or leave them out to run the grid in this JVM)");
            }
            return ClusterPlacement.LOCAL;
        }
        if (port < 0 || port > 65535) {
            throw new UserError("--cluster-port must be between 0 (any free port) and 65535, got " + port);
        }
        if (host.isBlank()) {
            throw new UserError("--cluster-host must be an address of this machine, got an empty one");
        }
        DistEngine.checkClusterConfig(config, "--cluster-config");
        LaunchTemplate template = null;
        if (launch != null) {
            try {
                template = LaunchTemplate.parse(launch);
            } catch (IllegalArgumentException e) {
                throw new UserError("--launch: " + e.getMessage());
            }
        }
        List<String> names = new ArrayList<>();
        for (String h : hosts) {
            if (h.isBlank() || h.chars().anyMatch(Character::isWhitespace)) {
                throw new UserError("--hosts: expected host names or addresses separated by commas, got '"
                        + String.join(",", hosts) + "'");
            }
            names.add(h);
        }
        boolean usesHost = template != null && template.usesHost();
        if (!names.isEmpty() && !usesHost) {
            throw new UserError("--hosts needs a --launch template with {host} that starts a child there, e.g. "
                    + "--launch 'ssh {host} /opt/recur/scripts/recur'");
        }
        if (usesHost && names.isEmpty()) {
            throw new UserError("--launch uses {host}: give the hosts with --hosts HOST,...");
        }
        if (!names.isEmpty() && config == null) {
            throw new UserError("--hosts needs --cluster-config FILE listing the hosts and this machine (the built-in "
                    + "configuration binds 127.0.0.1 only); see cluster-config/multi-host-example.xml");
        }
        if (LOOPBACK.contains(host) && names.stream().anyMatch(h -> !LOOPBACK.contains(h))) {
            throw new UserError("--hosts " + String.join(",", names) + ": give --cluster-host ADDR, this machine's "
                    + "address that those hosts reach (the server's event bus is on " + host + ")");
        }
        return new ClusterPlacement(config, host, port, template, names);
    }

    /** The options as given, for the report's command line (empty when none is). */
    static String describe(Path config, String host, int port, String launch, List<String> hosts) {
        StringBuilder s = new StringBuilder();
        if (config != null) {
            s.append(" --cluster-config ").append(config);
        }
        if (!host.equals("127.0.0.1")) {
            s.append(" --cluster-host ").append(host);
        }
        if (port != 0) {
            s.append(" --cluster-port ").append(port);
        }
        if (!hosts.isEmpty()) {
            s.append(" --hosts ").append(String.join(",", hosts));
        }
        if (launch != null) {
            s.append(" --launch '").append(launch.replace("'", "'\\''")).append('\'');  // as a shell reads it
        }
        return s.toString();
    }
}
