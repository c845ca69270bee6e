package recur.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticTextTest {
    @Test
    void sameSeedSameText() {
        assertEquals(SyntheticText.generate(5, 10_000), SyntheticText.generate(5, 10_000));
        assertNotEquals(SyntheticText.generate(5, 10_000), SyntheticText.generate(6, 10_000));
    }

    @Test
    void exactLengthSmallAlphabetSentences() {
        String t = SyntheticText.generate(1, 50_000);
        assertEquals(50_000, t.length());
        assertTrue(t.endsWith("\n"));
        assertTrue(CharVocabulary.of(t).size() < 60, "a small alphabet");
        assertTrue(t.chars().allMatch(c -> c == '\n' || c >= ' ' && c < 127));
        assertTrue(t.contains(". ") && t.contains("?"));
        assertTrue(!t.contains(" a old") && !t.contains(" a angry"), "an before vowels");
    }

    @Test
    void standardTextIsAFewHundredKilobytes() {
        String t = SyntheticText.standard();
        assertEquals(SyntheticText.DEFAULT_CHARS, t.length());
        assertEquals(t, SyntheticText.standard());
    }
}
