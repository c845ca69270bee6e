package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The compiler directives file that scripts/recur hands every JVM: the launcher names it, and this
 * JDK parses it and keeps Netty, Vert.x and Hazelcast out of C2 only (a file the JVM cannot parse
 * stops every recur command at start-up).
 */
class LauncherJitDirectivesTest {
    private static final Path DIRECTIVES = Path.of("scripts/lib/jit-directives.json").toAbsolutePath();

    @Test
    void theLauncherPassesTheDirectivesFile() throws Exception {
        String launcher = Files.readString(Path.of("scripts/recur"));
        assertTrue(launcher.contains("-XX:+UnlockDiagnosticVMOptions \"-XX:CompilerDirectivesFile=$root/scripts/lib/"
                + "jit-directives.json\""), "scripts/recur no longer passes scripts/lib/jit-directives.json");
    }

    @Test
    void thisJdkParsesTheDirectivesAndExcludesOnlyTheControlPathFromC2() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "-XX:+UnlockDiagnosticVMOptions",
                "-XX:CompilerDirectivesFile=" + DIRECTIVES, "-XX:+CompilerDirectivesPrint", "-version"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("1 compiler directives added"), out);
        String directive = out.substring(out.indexOf("matching: "), out.indexOf("Directive: (default)"));
        assertTrue(directive.contains("io/netty/*.*") && directive.contains("io/vertx/*.*")
                && directive.contains("com/hazelcast/*.*") && !directive.contains("recur/"), directive);
        String c2 = directive.substring(directive.indexOf("c2 directives:"));
        assertTrue(c2.contains("Enable:true Exclude:true"), c2);
        String c1 = directive.substring(directive.indexOf("c1 directives:"), directive.indexOf("c2 directives:"));
        assertTrue(c1.contains("Enable:false Exclude:false"), "C1 must still compile them: " + c1);
    }
}
