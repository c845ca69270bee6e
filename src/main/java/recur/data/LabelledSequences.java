package recur.data;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Classification data as {@code label<TAB>text} lines: the label is everything before the first TAB,
 * the text everything after it. Blank lines are skipped; a {@code \r} before the newline is dropped.
 * A line without a TAB, an empty label or an empty text is an {@link IllegalArgumentException} naming
 * the line; a file with no labelled line is one too.
 */
public final class LabelledSequences {
    private LabelledSequences() {}

    /** One labelled line: its label, its text and its 1-based line number. */
    public record Example(String label, String text, int line) {
    }

    /** A tokenised example: token ids and class id. */
    public record Sequence(int[] tokens, int label) {
    }

    /** Parses the lines of {@code content}; {@code name} names the file in messages. */
    public static List<Example> parse(String content, String name) {
        List<Example> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : content.split("\n", -1)) {
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException(name + " line " + lineNo + " has no TAB; each line is label<TAB>text");
            }
            String label = line.substring(0, tab).strip();
            String text = line.substring(tab + 1);
            if (label.isEmpty()) {
                throw new IllegalArgumentException(name + " line " + lineNo + " has an empty label; each line is label<TAB>text");
            }
            if (text.isBlank()) {
                throw new IllegalArgumentException(name + " line " + lineNo + " has no text after the TAB; each line is label<TAB>text");
            }
            out.add(new Example(label, text, lineNo));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(name + " has no labelled lines; each line is label<TAB>text");
        }
        return out;
    }

    /** The distinct labels, sorted: label i is class i. */
    public static List<String> labels(List<Example> examples) {
        TreeSet<String> set = new TreeSet<>();
        for (Example e : examples) {
            set.add(e.label());
        }
        return List.copyOf(set);
    }

    /** Class id of each example's label in {@code labels}; an unknown label is an error naming its line. */
    public static int classOf(Example e, List<String> labels, String name) {
        int id = labels.indexOf(e.label());
        if (id < 0) {
            throw new IllegalArgumentException(name + " line " + e.line() + ": label '" + e.label()
                    + "' is not one the model knows " + labels);
        }
        return id;
    }
}
