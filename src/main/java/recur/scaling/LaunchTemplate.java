package recur.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a cluster-mode child JVM is started ({@code recur experiment scaling --launch TEMPLATE}).
 * The template is split into words like a shell splits a simple command: on spaces and tabs, with
 * 'single' or "double" quotes grouping a word (no escapes, variables or globbing; a quote cannot
 * appear inside a word quoted with the same kind). Placeholders:
 * <ul>
 * <li>{@code {recur}}: this JVM's own java binary, JVM flags, heap, class path and main class (what a
 *     child runs without a template); a word of its own, as it stands for several.</li>
 * <li>{@code {i}}: the child's index, worker i is i, parameter shard JVM k is N + k - 1.</li>
 * <li>{@code {host}}: the child's host from {@code --hosts} (child i goes to host i mod H).</li>
 * </ul>
 * The role arguments ({@code worker --cluster ...}) are appended after the last word, so the template
 * must end with a recur command: {@code {recur}} here, or a recur launcher on the remote host.
 */
public final class LaunchTemplate {
    public static final String RECUR = "{recur}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final List<String> NAMES = List.of("recur", "i", "host");

    private final String text;
    private final List<String> words;

    private LaunchTemplate(String text, List<String> words) {
        this.text = text;
        this.words = words;
    }

    /** Parses and checks {@code text}; throws IllegalArgumentException with a one-line reason. */
    public static LaunchTemplate parse(String text) {
        List<String> words = split(text);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("the launch template is empty: give a command such as '{recur}' or "
                    + "'ssh {host} /opt/recur/scripts/recur'");
        }
        for (String w : words) {
            Matcher m = PLACEHOLDER.matcher(w);
            while (m.find()) {
                if (!NAMES.contains(m.group(1))) {
                    throw new IllegalArgumentException("unknown placeholder " + m.group() + " in the launch template "
                            + "(known: {recur}, {i}, {host})");
                }
            }
            if (w.contains(RECUR) && !w.equals(RECUR)) {
                throw new IllegalArgumentException("{recur} must be a word of its own in the launch template (it "
                        + "stands for several arguments), got '" + w + "'");
            }
        }
        return new LaunchTemplate(text, List.copyOf(words));
    }

    /** Whether the template uses {@code {host}} (it must, and only then, when --hosts is given). */
    public boolean usesHost() {
        return words.stream().anyMatch(w -> w.contains("{host}"));
    }

    /**
     * The command line of child {@code index} on {@code host} (null without --hosts): the template's
     * words with placeholders replaced, {@code recur} in place of {@code {recur}}, then {@code role}.
     */
    public List<String> expand(int index, String host, List<String> recur, List<String> role) {
        List<String> cmd = new ArrayList<>();
        for (String w : words) {
            if (w.equals(RECUR)) {
                cmd.addAll(recur);
            } else {
                cmd.add(w.replace("{i}", Integer.toString(index)).replace("{host}", host == null ? "" : host));
            }
        }
        cmd.addAll(role);
        return cmd;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Shell-like word splitting of a simple command (see the class comment). */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;  // '' is an empty word, as in a shell
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("the launch template must be one line");
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " quote in the launch template: " + text);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
