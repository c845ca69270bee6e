package recur.cli;

import recur.data.TokenStreams;
import recur.math.Kernels;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizer;
import recur.optim.Optimizers;
import recur.train.TrainConfig;
import recur.train.Trainer;

/** One process, one thread: the {@link Trainer} over all B streams. */
final class LocalEngine implements TrainingEngine {

    @Override
    public TrainingOutcome train(TrainingJob job, TrainingListener listener, StopSignal stop) {
        TrainConfig c = job.config();
        TokenStreams streams = TokenStreams.of(job.tokens(), c.batch, c.window);
        Optimizer optimizer = Optimizers.parse(c.optimizer, job.params().length);
        LearningRateSchedule schedule = LearningRateSchedule.parse(c.schedule, c.lr, c.steps);
        Trainer trainer = new Trainer(job.spec(), job.params(), streams, c.window, optimizer, schedule,
                c.clipNorm, c.clipValue, Kernels.get());
        while (trainer.steps() < c.steps && !stop.requested()) {
            listener.onStep(trainer.step());
        }
        return new TrainingOutcome(trainer.params(), trainer.steps(), trainer.steps() < c.steps,
                trainer.skippedSteps());
    }
}
