package recur.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.RecurrentState;
import recur.nn.Window;

class LabelledDataTest {

    @Test
    void parsesLabelTabText() {
        var ex = LabelledSequences.parse("pos\tgood film\r\n\nneg\tbad\tfilm\n", "f");
        assertEquals(2, ex.size());
        assertEquals("bad\tfilm", ex.get(1).text());
        assertEquals(3, ex.get(1).line());
        assertEquals(List.of("neg", "pos"), LabelledSequences.labels(ex));
    }

    @Test
    void parseErrorsNameTheLine() {
        assertMessage(() -> LabelledSequences.parse("a\tx\nno tab here\n", "f"), "line 2 has no TAB");
        assertMessage(() -> LabelledSequences.parse("\n  \n", "f"), "no labelled lines");
        assertMessage(() -> LabelledSequences.parse("\tx\n", "f"), "line 1 has an empty label");
        assertMessage(() -> LabelledSequences.parse("a\t  \n", "f"), "line 1 has no text");
        var e = LabelledSequences.parse("c\tx\n", "f").getFirst();
        assertMessage(() -> LabelledSequences.classOf(e, List.of("a", "b"), "f"), "label 'c'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable run, String part) {
        var e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void batchesHoldSequencesOfOneLengthAndCoverEveryOneEachEpoch() {
        SplittableRandom rng = new SplittableRandom(3);
        List<LabelledSequences.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 53; i++) {
            int[] t = new int[1 + rng.nextInt(6)];
            t[0] = i; // identifies the sequence
            seqs.add(new LabelledSequences.Sequence(t, i % 2));
        }
        ModelSpec spec = ModelSpec.tokens(CellType.GRU, 1, 4, 2, java.util.stream.IntStream.range(0, 60)
                .mapToObj(Integer::toString).toList(), Task.CLASSIFY, 2, false);
        LabelledBatches b = new LabelledBatches(seqs, 4, 9);
        Window w = new Window(spec, 4, 6);
        RecurrentState s = new RecurrentState(spec, 4);
        Set<Integer> seen = new HashSet<>();
        List<Integer> firstEpoch = new ArrayList<>();
        for (int k = 0; k < b.windowsPerEpoch(); k++) {
            java.util.Arrays.fill(s.atStart, false);
            int steps = b.next(w, s);
            for (int j = 0; j < 4; j++) {
                assertTrue(s.atStart[j], "every sequence starts from the initial state");
                int id = w.tokens[j];
                assertEquals(steps, seqs.get(id).tokens().length, "all B sequences of a window have its length");
                assertEquals(seqs.get(id).label(), w.labels[j]);
                seen.add(id);
                firstEpoch.add(id);
            }
        }
        assertEquals(53, seen.size());
        assertEquals(1, b.epoch());
        LabelledBatches again = new LabelledBatches(seqs, 4, 9);
        again.seek(0, 0);
        List<Integer> replay = new ArrayList<>();
        for (int k = 0; k < again.windowsPerEpoch(); k++) {
            again.next(w, s);
            for (int j = 0; j < 4; j++) {
                replay.add(w.tokens[j]);
            }
        }
        assertEquals(firstEpoch, replay, "same seed and position, same windows");
    }

    @Test
    void validationSplitKeepsTheTail() {
        int[] t = java.util.stream.IntStream.range(0, 100).toArray();
        int[][] split = ValidationSplit.tail(t, 0.1);
        assertEquals(90, split[0].length);
        assertEquals(90, split[1][0]);
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.tail(new int[3], 0.1));
        var items = ValidationSplit.tail(java.util.stream.IntStream.range(0, 50).boxed().toList(), 0.2, 1);
        assertEquals(40, items.get(0).size());
        assertEquals(10, items.get(1).size());
        Set<Integer> all = new HashSet<>(items.get(0));
        all.addAll(items.get(1));
        assertEquals(50, all.size(), "disjoint and complete");
    }

    @Test
    void reorderedSentencesDifferOnlyInWordOrder() {
        List<String> s = WordTokenizer.tokenize("the old cat , it sees a dog", true);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            List<String> r = WordOrderPairs.reorder(s, i % 2 == 0, rng);
            assertNotEquals(s, r);
            assertEquals(",", r.get(3), "punctuation keeps its place");
            List<String> a = new ArrayList<>(s);
            List<String> b = new ArrayList<>(r);
            a.sort(null);
            b.sort(null);
            assertEquals(a, b, "same words");
        }
        var sentences = WordOrderPairs.sentences(WordTokenizer.tokenize("A b c. Too short! The dog runs home?", true), 3, 10);
        assertEquals(List.of(List.of("a", "b", "c"), List.of("the", "dog", "runs", "home")), sentences);
    }
}
