package io.ballast.classifiers.rules;

import io.ballast.classifiers.Identified;
import io.ballast.schemas.domain.Attribute;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Race and ethnicity of the person a bio is about, only where the text states it: a race or
 * ethnicity word that describes a person ("a Black nurse", "a proud Latina engineer", "is Native
 * Hawaiian", "of Korean descent", "an enrolled member of the Navajo Nation"). A race word that
 * describes a thing is never read: "white-collar crime", "a black belt", "a white paper", "Black
 * Friday", "Native American music", "South Asian studies". Nor is a name, a language, a cuisine or a
 * place of study, and nor are plural groups ("mentors Black students"), who are other people.
 *
 * <p>Reads the census categories ({@link Census}); two different ones for the same text, or
 * "biracial"/"multiracial", read multiracial. The attribute's own categories are white, black, asian
 * and other ({@link Census#category()}).
 */
public final class RaceRules extends Identified {

    public static final String ID = "race-rules";

    /** The census race and ethnicity categories the rules read. */
    public enum Census {
        WHITE("white"),
        BLACK("black"),
        ASIAN("asian"),
        HISPANIC("other"),
        MENA("other"),
        AIAN("other"),
        NHPI("other"),
        MULTIRACIAL("other");

        private final String category;

        Census(String category) {
            this.category = category;
        }

        /** The attribute's category: white, black and asian are their own; every other census category is other. */
        public String category() {
            return category;
        }

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Words that name a race or ethnicity when they describe a person. */
    private static final Map<String, Census> RACE_WORDS = new HashMap<>();
    /** Nationalities and peoples: a race or ethnicity only as "X American", "of X descent", "X immigrants". */
    private static final Map<String, Census> ORIGINS = new HashMap<>();

    static {
        put(RACE_WORDS, Census.WHITE, "white", "caucasian");
        put(RACE_WORDS, Census.BLACK, "black");
        put(RACE_WORDS, Census.ASIAN, "asian");
        put(RACE_WORDS, Census.HISPANIC, "hispanic", "latino", "latina", "latinx", "latine", "chicano", "chicana");
        put(RACE_WORDS, Census.MENA, "arab");
        put(RACE_WORDS, Census.AIAN, "indigenous");
        put(RACE_WORDS, Census.MULTIRACIAL, "biracial", "multiracial", "multiethnic");
        put(
                ORIGINS,
                Census.WHITE,
                "irish",
                "italian",
                "german",
                "polish",
                "english",
                "scottish",
                "norwegian",
                "swedish",
                "greek",
                "ukrainian",
                "russian",
                "french",
                "dutch",
                "european",
                "portuguese",
                "danish");
        put(
                ORIGINS,
                Census.BLACK,
                "african",
                "nigerian",
                "ghanaian",
                "kenyan",
                "ethiopian",
                "somali",
                "jamaican",
                "haitian",
                "senegalese",
                "eritrean",
                "caribbean",
                "trinidadian");
        put(
                ORIGINS,
                Census.ASIAN,
                "asian",
                "chinese",
                "korean",
                "japanese",
                "vietnamese",
                "filipino",
                "filipina",
                "indian",
                "pakistani",
                "bangladeshi",
                "thai",
                "cambodian",
                "hmong",
                "laotian",
                "taiwanese",
                "indonesian",
                "nepali",
                "malaysian",
                "burmese",
                "sri");
        put(
                ORIGINS,
                Census.HISPANIC,
                "mexican",
                "puerto",
                "cuban",
                "dominican",
                "salvadoran",
                "guatemalan",
                "colombian",
                "peruvian",
                "venezuelan",
                "honduran",
                "ecuadorian",
                "nicaraguan",
                "latin",
                "hispanic",
                "spanish",
                "argentine",
                "argentinian",
                "chilean",
                "bolivian");
        put(
                ORIGINS,
                Census.MENA,
                "lebanese",
                "syrian",
                "iranian",
                "persian",
                "egyptian",
                "moroccan",
                "iraqi",
                "palestinian",
                "jordanian",
                "arab",
                "yemeni",
                "algerian",
                "tunisian",
                "libyan",
                "armenian",
                "middle",
                "turkish",
                "kurdish",
                "israeli",
                "emirati",
                "saudi");
        put(ORIGINS, Census.NHPI, "samoan", "tongan", "hawaiian", "chamorro", "fijian", "marshallese", "tahitian");
        put(
                ORIGINS,
                Census.AIAN,
                "cherokee",
                "navajo",
                "lakota",
                "ojibwe",
                "diné",
                "dine",
                "hopi",
                "apache",
                "choctaw",
                "chickasaw",
                "creek",
                "seminole",
                "iroquois",
                "mohawk",
                "sioux",
                "dakota",
                "cree",
                "blackfeet",
                "yupik",
                "inupiat",
                "tlingit",
                "pueblo",
                "zuni",
                "menominee",
                "oneida",
                "comanche");
    }

    /** Singular nouns for a person, besides occupations (which the suffix test below recognises). */
    private static final Set<String> PERSON = Words.set(
            "representative",
            "executive",
            "detective",
            "operative",
            "woman",
            "man",
            "person",
            "girl",
            "boy",
            "lady",
            "gentleman",
            "mother",
            "father",
            "wife",
            "husband",
            "daughter",
            "son",
            "immigrant",
            "nurse",
            "doctor",
            "physician",
            "surgeon",
            "chef",
            "cook",
            "pilot",
            "artist",
            "author",
            "poet",
            "scholar",
            "scientist",
            "engineer",
            "lawyer",
            "attorney",
            "judge",
            "student",
            "professional",
            "entrepreneur",
            "executive",
            "leader",
            "veteran",
            "advocate",
            "clerk",
            "mechanic",
            "electrician",
            "plumber",
            "carpenter",
            "pharmacist",
            "dentist",
            "therapist",
            "technician",
            "analyst",
            "architect",
            "accountant",
            "auditor",
            "chemist",
            "economist",
            "journalist",
            "musician",
            "athlete",
            "coach",
            "educator",
            "professor",
            "principal",
            "pastor",
            "farmer",
            "firefighter",
            "officer",
            "police",
            "detective",
            "paralegal",
            "aide",
            "assistant",
            "cashier",
            "janitor",
            "guard",
            "mathematician",
            "statistician",
            "developer",
            "programmer",
            "designer",
            "manager",
            "director",
            "founder",
            "ceo",
            "owner",
            "citizen",
            "american",
            "candidate",
            "mayor",
            "senator",
            "nurse's",
            "midwife",
            "paramedic",
            "cop",
            "sheriff",
            "soldier",
            "trucker",
            "driver",
            "welder",
            "machinist",
            "roofer",
            "mason",
            "barber",
            "stylist",
            "hairdresser",
            "receptionist",
            "secretary",
            "librarian",
            "counselor",
            "psychologist",
            "social",
            "worker",
            "veterinarian",
            "optometrist",
            "physicist",
            "biologist",
            "geologist",
            "historian",
            "mentor",
            "volunteer",
            "activist",
            "organizer",
            "graduate",
            "alumna",
            "alumnus",
            "native",
            "islander",
            "descendant",
            "speaker",
            "writer",
            "researcher",
            "teacher",
            "tutor",
            "baker",
            "butcher",
            "caregiver");
    /** Words with a person-like suffix that name things ("white paper", "black pepper", "a white knight"). */
    private static final Set<String> NOT_PERSON = Words.set(
            "paper",
            "papers",
            "water",
            "pepper",
            "powder",
            "river",
            "center",
            "centre",
            "corner",
            "border",
            "color",
            "colour",
            "floor",
            "door",
            "marker",
            "cancer",
            "silver",
            "winter",
            "summer",
            "thunder",
            "leather",
            "feather",
            "board",
            "collar",
            "knight",
            "widow",
            "swan",
            "friday",
            "humour",
            "humor",
            "humor's",
            "ink",
            "tie",
            "belt",
            "market",
            "list",
            "sheep",
            "hole",
            "box",
            "magic",
            "metal",
            "matter",
            "letter",
            "tiger",
            "panther",
            "panthers",
            "sox",
            "hawks",
            "ops",
            "hat",
            "star",
            "liquor",
            "mirror",
            "terror",
            "tower",
            "pearl",
            "boarder",
            "ivory");

    private static void put(Map<String, Census> map, Census c, String... words) {
        for (String w : words) {
            map.put(w, c);
        }
    }

    public RaceRules() {
        super(ID, 1);
    }

    @Override
    public String classify(String text) {
        Census c = read(text);
        return c == null ? Attribute.UNKNOWN : c.category();
    }

    /** The census category the text states for its person, or null when it states none. */
    public Census read(String text) {
        Words w = new Words(text);
        EnumSet<Census> found = EnumSet.noneOf(Census.class);
        if ((text.contains("ember") || text.contains("itizen"))
                && TRIBAL_MEMBERSHIP.matcher(text).find()) {
            found.add(Census.AIAN); // "a member of the Crow Tribe", "an enrolled citizen of the Cherokee Nation"
        }
        for (int i = 0; i < w.size(); i++) {
            String word = w.lower(i);
            if (w.hyphenated.get(i) && !w.lower(i + 1).equals("american")) {
                continue; // white-collar, black-tie, Black-owned: a compound that describes a thing
            }
            Census race = RACE_WORDS.get(word);
            Census origin = ORIGINS.get(word);
            int next = i + 1;
            Census c = race;
            // multi-word names: Native American, Alaska Native, Pacific Islander, Native Hawaiian, mixed race,
            // Middle Eastern, North African, Puerto Rican, Sri Lankan
            String pair = word + " " + w.lower(i + 1);
            Census named = PAIRS.get(pair);
            if (named != null) {
                c = named;
                next = i + 2;
            } else if (PAIR_ORIGINS.contains(pair)) {
                next = i + 2;
            } else if (race == null && origin == null) {
                continue;
            }
            // peoples (tribal nations, Pacific Islanders) name an ethnicity directly: "a Lakota teacher"
            if (c == null && (origin == Census.AIAN || origin == Census.NHPI)) {
                c = origin;
            }
            if (w.lower(i - 1).equals("half")) {
                found.add(c != null ? c : origin); // "half Japanese and half Native Hawaiian"
                continue;
            }
            if (w.lower(next).equals("american") && !w.hyphenated.get(next) && named == null) {
                // "Korean American", "African American", "Arab American": a person when it describes one or
                // stands for one ("a Cuban American who ...", "a first-generation Italian American whose ...")
                Census american = c != null ? c : origin;
                if (american != null
                        && (describesAPerson(w, next + 1)
                                || predicate(w, i, next + 1)
                                || standsForAPerson(w, i, next + 1))) {
                    found.add(american);
                }
                continue;
            }
            if (c == null) {
                // a nationality is an ethnicity here only as "of X descent", "X immigrants"
                if (origin != null && (ofDescent(w, i, next) || immigrantParents(w, next))) {
                    found.add(origin);
                }
                continue;
            }
            if (ofDescent(w, i, next) || immigrantParents(w, next)) {
                found.add(c);
                continue;
            }
            if (describesAPerson(w, next) || predicate(w, i, next) || named != null && standsForAPerson(w, i, next)) {
                found.add(c);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1 || found.contains(Census.MULTIRACIAL)) {
            return Census.MULTIRACIAL;
        }
        return found.iterator().next();
    }

    private static final java.util.regex.Pattern TRIBAL_MEMBERSHIP = java.util.regex.Pattern.compile(
            "\\b(?:member|citizen)s? of the (?:[A-Z][\\w'’-]*\\s){1,3}(?:Nation|Tribe|Band|Pueblo)\\b");

    private static final Map<String, Census> PAIRS = Map.of(
            "native american", Census.AIAN,
            "american indian", Census.AIAN,
            "alaska native", Census.AIAN,
            "pacific islander", Census.NHPI,
            "native hawaiian", Census.NHPI,
            "mixed race", Census.MULTIRACIAL,
            "middle eastern", Census.MENA,
            "north african", Census.MENA);
    private static final Set<String> PAIR_ORIGINS = Words.set("puerto rican", "sri lankan");

    /** Words after which a race phrase has ended: what follows says more about the person, not about a thing. */
    private static final Set<String> AFTER_A_PERSON = Words.set(
            "who",
            "whose",
            "and",
            "but",
            "with",
            "from",
            "in",
            "at",
            "living",
            "born",
            "raised",
            "based",
            "that",
            "working",
            "originally",
            "for",
            "by",
            "of");
    /** Nouns that make a race word describe a topic or a thing, not a person: "Black history teacher". */
    private static final Set<String> TOPICS = Words.set(
            "studies",
            "study",
            "history",
            "art",
            "arts",
            "music",
            "literature",
            "culture",
            "cultural",
            "cuisine",
            "food",
            "affairs",
            "language",
            "languages",
            "film",
            "poetry",
            "politics",
            "religion",
            "heritage",
            "market",
            "markets",
            "fusion",
            "restaurant",
            "dance",
            "community",
            "communities",
            "church",
            "museum",
            "festival",
            "student",
            "students",
            "employee",
            "employees",
            "patients",
            "women",
            "men",
            "youth",
            "families",
            "children",
            "people",
            "clients",
            "authors",
            "writers",
            "artists",
            "voices",
            "owned",
            "health",
            "equity",
            "stocks",
            "equities",
            "humor",
            "humour",
            "belt",
            "tie",
            "house",
            "sea",
            "forest",
            "coffee",
            "ice",
            "wine",
            "lies",
            "noise",
            "space",
            "mountain",
            "mountains",
            "ocean",
            "sands",
            "castle",
            "lodge",
            "studio",
            "press",
            "club",
            "center",
            "centre",
            "society",
            "association",
            "council",
            "network",
            "caucus",
            "alliance",
            "chamber",
            "foundation",
            "institute",
            "program",
            "programs",
            "literature",
            "collection",
            "exhibit",
            "exhibition",
            "month",
            "heritage",
            "rights",
            "issues",
            "experience",
            "diaspora");

    /** The words at {@code at} (an adjective or a noun may stand between) name one person: "a Black nurse". */
    private static boolean describesAPerson(Words w, int at) {
        for (int k = at; k < Math.min(w.size(), at + 4); k++) {
            String noun = w.lower(k);
            if (NOT_PERSON.contains(noun) || TOPICS.contains(noun) || RACE_WORDS.containsKey(noun) && k > at) {
                return false;
            }
            if (PERSON.contains(noun) || personSuffix(noun)) {
                return !w.hyphenated.get(k) || w.lower(k + 1).equals("american");
            }
            // up to two words of a compound occupation may stand before its noun ("elementary school teacher")
            if (w.breakAfter.get(k) || AFTER_A_PERSON.contains(noun) || k > at + 1 && !adjectiveLike(noun)) {
                return false;
            }
        }
        return false;
    }

    /**
     * "She is Black.", "identifies as Indigenous and ...", "describes himself as a white, working-class
     * kid": the race word closes a phrase about the subject.
     */
    private static boolean predicate(Words w, int start, int end) {
        String before = w.lower(start - 1);
        String before2 = w.lower(start - 2);
        if (before.equals("a") || before.equals("an")) {
            before = before2;
            before2 = w.lower(start - 3);
        }
        boolean copula = COPULAS.contains(before) && !(before.equals("as") && !AS_SELF.contains(before2));
        boolean closes = end >= w.size() || w.breakAfter.get(end - 1) || AFTER_A_PERSON.contains(w.lower(end));
        return copula && closes;
    }

    private static final Set<String> AS_SELF =
            Words.set("identifies", "identify", "identified", "himself", "herself", "themselves", "myself");
    private static final Set<String> DESCENT =
            Words.set("descent", "heritage", "ancestry", "origin", "background", "roots", "decent");
    private static final Set<String> COPULAS = Words.set("is", "am", "was", "proudly", "being", "as", "proud", "i'm");

    /** "a Cuban American who grew up ...", "a first-generation Italian American whose ...": the phrase is the person. */
    private static boolean standsForAPerson(Words w, int start, int end) {
        boolean closes = end >= w.size() || w.breakAfter.get(end - 1) || AFTER_A_PERSON.contains(w.lower(end));
        if (!closes) {
            return false;
        }
        for (int k = start - 1; k >= Math.max(0, start - 4); k--) {
            String b = w.lower(k);
            if (b.equals("a") || b.equals("an") || COPULAS.contains(b)) {
                return true;
            }
            if (w.breakAfter.get(k) || !adjectiveLike(b) && !w.hyphenated.get(k) && !b.equals("generation")) {
                return false;
            }
        }
        return false;
    }

    private static boolean ofDescent(Words w, int start, int end) {
        String after = w.lower(end);
        boolean descentWord = DESCENT.contains(after);
        return descentWord
                && (w.lower(start - 1).equals("of") || w.lower(start - 2).equals("of"));
    }

    private static boolean immigrantParents(Words w, int end) {
        return w.lower(end).equals("immigrants")
                || w.lower(end).equals("immigrant") && w.lower(end + 1).equals("parents");
    }

    private static boolean personSuffix(String noun) {
        if (noun.length() < 5) {
            return false;
        }
        return noun.endsWith("er")
                || noun.endsWith("or")
                || noun.endsWith("ist")
                || noun.endsWith("ian")
                || noun.endsWith("man")
                || noun.endsWith("woman")
                || noun.endsWith("person")
                || noun.endsWith("eer")
                || noun.endsWith("ant")
                || noun.endsWith("ent");
    }

    private static final Set<String> ADJECTIVES = Words.set(
            "proud",
            "young",
            "first",
            "queer",
            "gay",
            "lesbian",
            "disabled",
            "female",
            "male",
            "trans",
            "transgender",
            "self",
            "taught",
            "licensed",
            "registered",
            "certified",
            "senior",
            "junior",
            "award",
            "winning",
            "veteran",
            "retired",
            "practicing",
            "practising",
            "single",
            "working",
            "immigrant",
            "american",
            "born",
            "raised",
            "experienced",
            "talented",
            "dedicated",
            "business",
            "construction",
            "nurse",
            "small",
            "local",
            "second",
            "third",
            "generation",
            "skilled",
            "seasoned",
            "master",
            "head",
            "lead",
            "chief",
            "hardworking");

    private static boolean adjectiveLike(String word) {
        return ADJECTIVES.contains(word);
    }
}
