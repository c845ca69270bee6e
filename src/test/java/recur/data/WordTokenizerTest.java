package recur.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {

    @Test
    void punctuationIsSplitOff() {
        assertEquals(List.of("hello", ",", "world", "!", "(", "yes", ")", "."),
                WordTokenizer.tokenize("Hello, world! (yes).", true));
        assertEquals(List.of("First", "Citizen", ":", "Before"), WordTokenizer.tokenize("First Citizen:\nBefore", false));
    }

    @Test
    void apostrophesAndHyphensInsideWordsStay() {
        assertEquals(List.of("don't", "o'er", "well-known", "-", "-", "so", "'", "tis", "john's", "'"),
                WordTokenizer.tokenize("don't o'er well-known -- so 'tis John's'", true));
        assertEquals(List.of("it\u2019s"), WordTokenizer.tokenize("It\u2019s", true));
        assertEquals(List.of("end", "-"), WordTokenizer.tokenize("end-", true));
    }

    @Test
    void unicodeWordsAndMarks() {
        assertEquals(List.of("café", "naïve", "über", "日本語", "١٢٣", "e\u0301t\u0301"),
                WordTokenizer.tokenize("Café naïve Über 日本語 ١٢٣ e\u0301t\u0301", true));
        assertEquals(List.of("a", "😀", "b"), WordTokenizer.tokenize("a😀b", true));
        assertEquals(List.of("x", "y"), WordTokenizer.tokenize("x\u00A0\t y\r\n", true));
    }

    @Test
    void detokenizeJoinsWithSpacesExceptBeforeClosingPunctuation() {
        assertEquals("hello, world! (yes).", WordTokenizer.detokenize(List.of("hello", ",", "world", "!", "(", "yes", ")", ".")));
    }

    @Test
    void vocabularyCapMinCountAndUnk() {
        Map<String, Long> counts = WordVocabulary.count(WordTokenizer.tokenize("a a a b b c d d e", true));
        WordVocabulary all = WordVocabulary.build(counts, 0, 1);
        assertEquals(List.of("<unk>", "a", "b", "d", "c", "e"), all.tokens(), "by count, ties in string order");
        WordVocabulary capped = WordVocabulary.build(counts, 3, 1);
        assertEquals(List.of("<unk>", "a", "b"), capped.tokens());
        WordVocabulary frequent = WordVocabulary.build(counts, 0, 2);
        assertEquals(List.of("<unk>", "a", "b", "d"), frequent.tokens());
        int[] ids = frequent.encode(List.of("a", "c", "zebra", "d"));
        assertEquals(List.of(1, 0, 0, 3), java.util.Arrays.stream(ids).boxed().toList());
        assertEquals(2, WordVocabulary.unknown(ids));
        assertThrows(IllegalArgumentException.class, () -> new WordVocabulary(List.of("a", "<unk>")));
        assertThrows(IllegalArgumentException.class, () -> WordVocabulary.build(counts, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> WordVocabulary.build(counts, 0, 0));
    }
}
