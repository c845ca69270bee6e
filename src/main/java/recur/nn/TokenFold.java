package recur.nn;

import java.util.Arrays;
import recur.math.Kernels;

/**
 * The token embedding folded into the first layer's input projection. Row r of that projection is
 * bias + emb[token_r] W_ih^T, so it only takes one product per distinct token: with U distinct tokens
 * among a window's R rows it costs U x E x GH multiply-adds instead of R x E x GH, and the rows are
 * copies. Backward sums each token's gate gradients first; the two products that need W_ih (its
 * gradient and the embedding's) then run on U rows too. For a character model (U <= 65, R = B*T =
 * 2048 at the benchmark's charlm) this removes a sixth of a window's flops.
 *
 * <p>Used for a window only when U <= R / 2, where the copies and the per-token sums cost less than
 * the products they replace; a window with more distinct tokens (a word model's small batch) takes the
 * plain path. Forward gives the same bits as the plain path (each row is the same dot products in the
 * same order); backward adds the same terms in another order.
 *
 * <p>Legend: V vocabulary, E embedding width, GH gate rows, R rows (B*T), U distinct tokens.
 */
final class TokenFold {
    private final Kernels k;
    private final int e;
    private final int gh;
    private final int maxUsed;     // min(V, R / 2): more distinct tokens than this and the window is not folded
    private final int[] slotOf;    // (V) token -> its slot in this window, -1 if absent
    private final int[] slotToken; // (maxUsed) slot -> token
    private final int[] rowSlot;   // (R) row -> slot
    private int used;              // U: distinct tokens in this window
    private final float[] emb;     // (maxUsed, E) embedding rows of this window's tokens, by slot
    private final float[] table;   // (maxUsed, GH) forward: bias + emb W_ih^T; backward: gate gradients summed by token
    private final float[] dEmb;    // (maxUsed, E) gradient w.r.t. each slot's embedding row

    TokenFold(Kernels k, int vocab, int embedding, int gateRows, int maxRows) {
        this.k = k;
        this.e = embedding;
        this.gh = gateRows;
        this.maxUsed = Math.min(vocab, maxRows / 2);
        this.slotOf = new int[vocab];
        Arrays.fill(slotOf, -1);
        this.slotToken = new int[maxUsed];
        this.rowSlot = new int[maxRows];
        this.emb = new float[maxUsed * embedding];
        this.table = new float[maxUsed * gateRows];
        this.dEmb = new float[maxUsed * embedding];
    }

    /**
     * Maps this window's rows to slots, one per distinct token, and gathers their embedding rows.
     * Returns whether the window is folded (at most R / 2 distinct tokens). Tokens must be in range.
     */
    boolean index(int[] tokens, int rowCount, float[] params, int embedOff) {
        clear();
        int limit = Math.min(maxUsed, rowCount / 2);
        for (int r = 0; r < rowCount; r++) {
            int tok = tokens[r];
            int s = slotOf[tok];
            if (s < 0) {
                if (used == limit) {
                    clear();
                    return false;
                }
                s = used++;
                slotOf[tok] = s;
                slotToken[s] = tok;
            }
            rowSlot[r] = s;
        }
        for (int s = 0; s < used; s++) {
            System.arraycopy(params, embedOff + slotToken[s] * e, emb, s * e, e);
        }
        return true;
    }

    private void clear() {
        for (int s = 0; s < used; s++) {
            slotOf[slotToken[s]] = -1;
        }
        used = 0;
    }

    // ---------------------------------------------------------------- forward

    /**
     * Builds the table bias + emb W_ih^T, with wIhT (E, GH) W_ih transposed; {@link #gatherStep} then
     * copies each step's rows out of it just before the step's recurrent product reads them.
     */
    void project(float[] bias, int biasOff, float[] wIhT) {
        for (int s = 0; s < used; s++) {
            System.arraycopy(bias, biasOff, table, s * gh, gh);
        }
        k.gemm(table, 0, gh, emb, 0, e, wIhT, 0, gh, used, gh, e);
    }

    /** pre's rows of step t (B rows of GH from row t*B) = their tokens' table rows. */
    void gatherStep(float[] pre, int t, int batch) {
        for (int r = t * batch, end = r + batch; r < end; r++) {
            System.arraycopy(table, rowSlot[r] * gh, pre, r * gh, gh);
        }
    }

    // ---------------------------------------------------------------- backward

    /** Starts a backward pass: the table becomes the per-token sums of the input-side gate gradients. */
    void beginBackward() {
        Arrays.fill(table, 0, used * gh, 0f);
    }

    /** Adds step t's rows of dGx (B rows of GH from row t*B, still in cache) to their tokens' sums. */
    void sumStep(float[] dGx, int t, int batch) {
        for (int r = t * batch, end = r + batch; r < end; r++) {
            k.axpy(table, rowSlot[r] * gh, 1f, dGx, r * gh, gh);
        }
    }

    /**
     * After every step's {@link #sumStep}: grad's W_ih (GH, E) += dGx^T emb[token] and b_ih (GH) +=
     * column sums of dGx, from dGx summed by token; the sums stay for {@link #embeddingGradient}.
     */
    void weightGradients(float[] grad, int wIhOff, int bIhOff) {
        k.gemmAt(grad, wIhOff, e, table, 0, gh, emb, 0, e, gh, e, used);
        k.sumRows(grad, bIhOff, table, 0, gh, used, gh);
    }

    /** After {@link #weightGradients}: grad's embedding rows += (dGx summed by token) W_ih. */
    void embeddingGradient(float[] grad, int embedOff, float[] params, int wIhOff) {
        Arrays.fill(dEmb, 0, used * e, 0f);
        k.gemm(dEmb, 0, e, table, 0, gh, params, wIhOff, e, used, e, gh);
        for (int s = 0; s < used; s++) {
            k.axpy(grad, embedOff + slotToken[s] * e, 1f, dEmb, s * e, e);
        }
    }
}
