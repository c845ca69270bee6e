package recur.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import recur.io.Json;
import recur.io.ModelFile;
import recur.model.ModelSpec;

/** The files of a training run: config.json, metrics.csv, model.safetensors (and, for the default job, held-out.txt). */
final class RunDirectory {
    static final String MODEL = "model.safetensors";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    static RunDirectory create(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError("--out " + dir + " is a file; give a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create the run directory " + dir + ": " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new UserError("the run directory " + dir + " is not writable; choose another --out");
        }
        return new RunDirectory(dir);
    }

    void writeConfig(Map<String, Object> config) {
        writeText("config.json", Json.pretty(config) + "\n");
    }

    void writeText(String name, String text) {
        Path p = dir.resolve(name);
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write " + p + ": " + e, e);
        }
    }

    MetricsCsv metrics() {
        return new MetricsCsv(dir.resolve("metrics.csv"));
    }

    Path saveModel(ModelSpec spec, float[] params, Map<String, String> metadata) {
        Path p = dir.resolve(MODEL);
        ModelFile.save(p, spec, params, metadata);
        return p;
    }
}
