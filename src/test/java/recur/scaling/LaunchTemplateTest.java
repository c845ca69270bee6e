package recur.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import recur.dist.NetworkProfile;

/** How --launch templates are split, checked and expanded into a child's command line. */
class LaunchTemplateTest {
    private static final List<String> RECUR = List.of("/jdk/bin/java", "-Xmx1g", "-cp", "a.jar", "recur.cli.Main");
    private static final List<String> ROLE = List.of("worker", "--cluster");

    @Test
    void splitsLikeAShellOnSpacesAndSimpleQuotes() {
        assertEquals(List.of("a", "b c", "d'e", "", "f\"g", "hi"),
                LaunchTemplate.split("  a 'b c'\t\"d'e\" '' 'f\"g' h'i'  "));
        assertEquals(List.of(), LaunchTemplate.split("   "));
    }

    @Test
    void recurStandsForThisJvmsCommandAndTheRoleGoesLast() {
        LaunchTemplate t = LaunchTemplate.parse("taskset -c {i} {recur}");
        assertFalse(t.usesHost());
        assertEquals(List.of("taskset", "-c", "3", "/jdk/bin/java", "-Xmx1g", "-cp", "a.jar", "recur.cli.Main", "worker",
                "--cluster"), t.expand(3, null, RECUR, ROLE));
    }

    @Test
    void hostAndIndexMayBePartsOfAWord() {
        LaunchTemplate t = LaunchTemplate.parse("ssh -o 'ConnectTimeout 5' user@{host} /opt/recur/scripts/recur");
        assertTrue(t.usesHost());
        assertEquals(List.of("ssh", "-o", "ConnectTimeout 5", "user@h2", "/opt/recur/scripts/recur", "worker",
                "--cluster"), t.expand(1, "h2", RECUR, ROLE));
        assertEquals(List.of("env", "CHILD=w7-on-h1", "worker", "--cluster"),
                LaunchTemplate.parse("env CHILD=w{i}-on-{host}").expand(7, "h1", RECUR, ROLE));
    }

    @Test
    void badTemplatesAreRefusedInOneLine() {
        for (String[] bad : new String[][] {
            {"", "empty"}, {" \t ", "empty"}, {"ssh {hots} recur", "unknown placeholder {hots}"},
            {"taskset {recur}x", "{recur} must be a word of its own"}, {"ssh 'h1 recur", "unclosed ' quote"},
            {"a\nb", "one line"}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> LaunchTemplate.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    /** Child i on host i mod H: it binds its event bus there and ends with its input, not with a pid. */
    @Test
    void childrenOnHostsGetTheirHostTheConfigAndNoParent() {
        Path config = Path.of("cluster-config/default.xml");
        ClusterPlacement p = new ClusterPlacement(config, "10.0.0.1", 15701,
                LaunchTemplate.parse("ssh {host} /opt/recur/scripts/recur"), List.of("h0", "h1"));
        List<String> cmd = WorkerJvms.command("ps-shard", 3, p, "c1", NetworkProfile.LOOPBACK, 9, 30);
        assertEquals(List.of("ssh", "h1", "/opt/recur/scripts/recur", "ps-shard", "--cluster", "--cluster-name", "c1",
                "--network", "loopback", "--network-seed", "9", "--wait", "30", "--cluster-config",
                config.toAbsolutePath().normalize().toString(), "--cluster-host", "h1", "--until-stdin-closes"), cmd);
        assertEquals("h0", WorkerJvms.command("worker", 2, p, "c1", NetworkProfile.LOOPBACK, 9, 30).get(1));
    }

    @Test
    void aLocalTemplateKeepsTheParentAndTheDefaultIsTodaysCommand() {
        ClusterPlacement p = new ClusterPlacement(null, null, 0, LaunchTemplate.parse("env MARK=1 {recur}"), List.of());
        List<String> cmd = WorkerJvms.command("worker", 0, p, "c1", NetworkProfile.LOOPBACK, 2, 30);
        List<String> plain = WorkerJvms.command("worker", "c1", NetworkProfile.LOOPBACK, 2, 30);
        assertEquals(List.of("env", "MARK=1"), cmd.subList(0, 2));
        assertEquals(plain, cmd.subList(2, cmd.size()));
        assertEquals(Long.toString(ProcessHandle.current().pid()), plain.get(plain.indexOf("--parent") + 1));
        assertFalse(plain.contains("--until-stdin-closes") || plain.contains("--cluster-config"));
    }
}
