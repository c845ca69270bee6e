package recur.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which columns of a CSV a time series reads: the target, further feature columns, which of them
 * are categorical (one-hot encoded), and the missing-value policy. Categorical columns are features
 * whether or not {@code --features} lists them. The target must be numeric.
 */
public record SeriesColumns(String target, List<String> features, List<String> categorical, MissingPolicy missing) {

    public SeriesColumns {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("--target must name a column of the CSV");
        }
        features = features == null ? List.of() : List.copyOf(features);
        categorical = categorical == null ? List.of() : List.copyOf(new LinkedHashSet<>(categorical));
        missing = missing == null ? MissingPolicy.ERROR : missing;
        if (categorical.contains(target)) {
            throw new IllegalArgumentException("--categorical " + target + ": the target is what the model forecasts "
                    + "and must be numeric; choose a numeric --target");
        }
    }

    /** The columns read, in channel order: the target, then the features, then categorical columns not listed. */
    public List<String> all() {
        java.util.Set<String> cols = new LinkedHashSet<>();
        cols.add(target);
        cols.addAll(features);
        cols.addAll(categorical);
        return new ArrayList<>(cols);
    }
}
