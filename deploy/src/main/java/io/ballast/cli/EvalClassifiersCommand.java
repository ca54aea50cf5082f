package io.ballast.cli;

import io.ballast.classifiers.evaluation.ClassifierEvaluation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
        name = "classifiers",
        mixinStandardHelpOptions = true,
        description = {
            "Every attribute classifier on the test splits it was never tuned on: hand-written bios and race idioms",
            "(gender, race, sentiment), SST-2's validation set (sentiment) and a public toxicity set's test split.",
            "Per attribute and set: accuracy, macro-F1, per-class precision and recall with Wilson 95%% intervals,",
            "abstain rate, confusion matrix and texts/s on one core."
        })
final class EvalClassifiersCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        new ClassifierEvaluation(System.out).run();
        return 0;
    }
}
