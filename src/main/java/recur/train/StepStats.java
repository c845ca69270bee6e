package recur.train;

/**
 * What one optimizer step reports: the window's mean loss, tokens processed, throughput, the global
 * gradient norm before clipping and the clip ratio applied (1 when not clipped), and whether the step
 * was skipped because the gradient was not finite.
 */
public record StepStats(long step, double loss, long tokens, double tokensPerSecond, double gradNorm,
                        double clipRatio, boolean skipped, double elapsedSeconds) {
}
