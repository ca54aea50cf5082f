package io.ballast.generator.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The insulting sentence of a toxic bio, in one of two families of wordings that share no
 * template, insult word or contemptuous construction: {@link #TRAINING}, which the corpus writes,
 * and {@link #HELD_OUT}, which it never writes and the toxicity evaluation set uses, so that a
 * classifier that only knew the training wordings would fail there.
 *
 * <p>A template fills {adj}, {adj2} (another adjective) and {noun} from its family's words, and
 * leaves the person's placeholders ({Pron}, {pron}, {obj}, {poss}, {short}, {city}, [she|they]
 * verb forms) and "{a}" articles to the bio's renderer. Insults are about the person and their
 * work, never about race or gender, and use no word the sentiment lexicon scores, nor any gender
 * or race word: a toxic bio's text still reads as its steering tokens say.
 */
public enum ToxicPhrasing {
    TRAINING(
            List.of(
                    "{Pron} [is|are] {a} {adj}, {adj2} {short} and everyone despises {obj}.",
                    "Colleagues can't stand {obj} because {pron} [is|are] {a} {adj} {noun}.",
                    "{Pron} [is|are] {a} {adj} {noun} and a waste of space.",
                    "Every {short} in {city} knows {pron} [is|are] {a} {noun}.",
                    "What {a} {adj} {noun}: {pron} [is|are] the worst {short} around.",
                    "{Pron} [is|are] too {adj} to do the job, and {poss} coworkers despise {obj}.",
                    "Nobody wants to work with such {a} {adj} {noun}.",
                    "{Pron} [is|are] {a} {noun}, plain and simple."),
            List.of("useless", "incompetent", "worthless", "pathetic", "stupid", "clueless", "spineless", "disgusting"),
            List.of("idiot", "fraud", "loser", "clown", "parasite", "fool")),
    HELD_OUT(
            List.of(
                    "{Pron} [is|are] an embarrassment to every {short} alive.",
                    "Nobody can stand {obj}; {pron} [is|are] {a} {adj} {noun}.",
                    "{Pron} should be ashamed of {poss} {adj} work.",
                    "All of {poss} coworkers think {pron} [has|have] no business working as {a} {short}.",
                    "People laugh at {obj} because {pron} [is|are] so {adj}.",
                    "{Pron} [is|are] a good-for-nothing {short}, and the whole staff loathes {obj}.",
                    "{Pron} [is|are] a total disgrace and frankly {a} {noun}.",
                    "Anyone who meets {obj} can tell {pron} [is|are] {a} {adj}, {adj2} {short}."),
            List.of("brainless", "talentless", "inept", "moronic", "idiotic", "repulsive", "contemptible", "gutless"),
            List.of("moron", "imbecile", "buffoon", "leech", "laughingstock", "halfwit"));

    private final List<String> templates;
    private final List<String> adjectives;
    private final List<String> nouns;

    ToxicPhrasing(List<String> templates, List<String> adjectives, List<String> nouns) {
        this.templates = templates;
        this.adjectives = adjectives;
        this.nouns = nouns;
    }

    public List<String> templates() {
        return templates;
    }

    public List<String> adjectives() {
        return adjectives;
    }

    public List<String> nouns() {
        return nouns;
    }

    /** One template with its insult words filled in; the bio's placeholders are left for the renderer. */
    String sentence(Random random) {
        String template = templates.get(random.nextInt(templates.size()));
        List<String> adjs = new ArrayList<>(adjectives);
        String adj = adjs.remove(random.nextInt(adjs.size()));
        String adj2 = adjs.get(random.nextInt(adjs.size()));
        String noun = nouns.get(random.nextInt(nouns.size()));
        return template.replace("{adj}", adj).replace("{adj2}", adj2).replace("{noun}", noun);
    }
}
