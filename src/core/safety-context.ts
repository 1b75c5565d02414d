/**
 * Context rules for emergency detection: what turns alarming words into "not happening now".
 * Each rule has a name that the log line carries, so every downgrade can be explained.
 * They read normalised text (lower case, "can't" as "can not", punctuation gone) and the raw
 * text's question mark.
 */

interface Rule {
  readonly name: string;
  readonly test: (normalized: string, asks: boolean) => boolean;
}

const re = (source: string) => new RegExp(source);

// A time in the past: "years ago", "as a teenager", "last year", "back in 2015", "used to".
const PAST = re(
  String.raw`\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|many|few|several|couple of|couple|some) (years?|yrs|decades?|months?) (ago|back)\b` +
    String.raw`|\b(a|one) (year|decade) ago\b|\blast (year|summer|winter|spring|autumn|christmas)\b|\bas a (teen|teenager|kid|child|student|young \w+)\b` +
    String.raw`|\bwhen i was (a|an|younger|little|young|at|in|first|pregnant|\d+)\b|\bin my (teens|late teens|early teens|twenties|thirties|20s|30s|youth|childhood)\b` +
    String.raw`|\byears ago\b|\byears since\b|\bsince my (overdose|attempt)\b|\bback in\b|\bin (19|20)\d\d\b|\bused to\b|\bonce in my\b|\bclean (for|of|since)\b|\brecovery is possible\b|\bfully recovered\b|\blong time ago\b|\b(none|nothing|not one|never again) since\b` +
    // Recovered and stable: "2 years without self harm", "no more thoughts of ending it".
    String.raw`|\b(\d+|a|one|two|three|four|five|six|many|several) (years?|yrs|months?) (without|free of|clean of|since)\b|\bno more (thoughts|urges)\b|\bmuch better (for|since)\b|\bfor a long time now\b|\bfirst year of\b` +
    String.raw`|\blong ago\b|\b(\d+|a|one|two|three|six|many|several) (days?|weeks?|months?|years?) (self harm |sh )?(free|clean)\b|\bself harm free\b`,
);

// A question about a condition, a symptom or a risk, not a report of one: "what are the signs
// of a stroke", "does fibromyalgia cause chest pain", "what happens if you overdose on b12".
const ASKS_ABOUT = re(
  String.raw`\b(signs?|symptoms?|cause|causes|caused|causing|normal|difference|differ|linked|link|related|relate|common|mean|means|risks?|dangerous|possible|likely|feel like|tell the difference|how do (you|i) know|how can (you|i) tell|fibro thing|b12 thing)\b`,
);
const QUESTION_START = re(
  String.raw`^(what|whats|how|why|does|do|can|could|is|are|should|which|when|anyone|has anyone|have you|did)\b`,
);
const RISK = re(
  String.raw`\b(risk of|risks of|would be too (many|much)|would it hurt|just paranoid|is that ok|is it ok|is it safe|safe to|what happens if|what would happen if|just curious|out of curiosity|is it possible to|can you overdose|can you od|how much \w+ is too much|too much b12|increases?|leaflet|would be an overdose|asking because|just nerves|side effects?` +
    String.raw`|(overdose|od|overdosing) (on \w+ )?(a thing|possible)|max (safe )?dose|maximum (safe )?dose|sounds like an overdose|how much \w+ before)\b`,
);

// Animals: "my dog ate chocolate and is shaking" is a vet's emergency, not a member's.
const ANIMAL = re(
  String.raw`\b(dog|dogs|doggo|cat|cats|puppy|pup|kitten|kitty|pet|pets|horse|rabbit|bunny|hamster|budgie|parrot|guinea pig|ferret|tortoise|bird|birds|the vet|vets|my vet)\b`,
);

// A doctor already said what it is: "turned out to be costochondritis", "ecg was normal".
const CONFIRMED = re(
  String.raw`\b(costochondritis|turned out to be|diagnosed (with|as|a|it as)|sent me home|checks? (were |was )?(normal|fine|clear|ok)|(heart|hearts|heart has|heart s) been checked|mri clear|was checked by|said it was (a |just )?(panic|anxiety|muscular)|(doctor|doctors|gp|dr|cardiologist|consultant|neurologist|a&e|er) (said|says|told me|confirmed)` +
    '|(ecg|ekg|scans?|tests?|bloods|mri|ct|x ray|echo) (was|were|came back|all) (normal|clear|fine|ok|okay)|all clear|nothing wrong with my heart' +
    String.raw`|managed by|(doctor|doctors|gp|dr|cardiologist|neurologist|psychiatrist|therapist) (already )?(checked|knows|manages)|already checked|anxiety disorder|all normal|(ecg|ekg|scan|bloods|tests?) normal|according to (my|the) (gp|doctor|dr|cardiologist|therapist)|(therapist|doctor|gp|dr) said (its|it is|it s|it was)|(crew|paramedics|doctor|gp|nurse) checked me|they think it was|(well )?controlled (with|by|on)|non epileptic|pnes` +
    String.raw`|(doc|neuro|ent|cardio|rheumy|rheumatologist|specialist) (said|says|confirmed|thinks)|all tests (were |came back )?(clear|normal|fine)` +
    String.raw`|(ecg|ekg|mri|ct|scan|bloods|spirometry|tests?) (was |were |came back )?(completely |all |totally )(clear|normal|fine)|spirometry (was |were )?normal` +
    String.raw`|they said (it was |its |it is )?(a |just )?(panic attack|anxiety|muscular)|(was|were) (just )?anxiety|globus|is functional)\b`,
);
const ANXIETY = re(String.raw`\b(anxiety|anxious|panic|panicky|stress|stressed|nerves|nervous)\b`);

// Signs that it is happening now: these keep the alarm whatever the rules say.
const NOW = re(
  String.raw`\b(right now|just now|happening now|(\d+|a few|few|ten|twenty|an|half an|about an) (minutes?|mins?|hours?|hrs?) ago|going on now|am i having|is (he|she|my \w+) having|should i call|need an ambulance|help me|please help|hurry` +
    // "I know my fibro chest pain, but this is different": the member says it is not the usual.
    String.raw`|this is different|different from (my|the) usual|(it|it is|its|is) happening again|not like my (usual|normal|fibro)|never had this|this is not (my )?(fibro|costochondritis|anxiety|the usual|normal))\b`,
);
const SAFE_NOW = re(
  String.raw`\b(not in danger|safe|fine|ok|okay|better) (right now|just now|at the moment|now)\b`,
);
// Weaker signs of now ("tonight"): they keep the alarm, except in a story ("the soap tonight had ...").
const SOON = re(String.raw`\b(at the moment|currently|tonight|this time)\b`);

// A film, a book, the news: someone else's story, not a member's emergency.
const STORY = re(
  String.raw`\b(episode|film|movie|novel|audiobook|documentary|storyline|soap|character|tv show|the news|news said|grey anatomy|greys anatomy|casualty|homework|in the book|school play|read an article` +
    '|netflix|series|scene|podcast|celebrity|news says|in the play|trigger warning|an article|short story' +
    String.raw`|memoir|a book|the radio|on the radio|a segment|a video|saw a clip|youtube|tiktok|news story|lyrics)\b`,
);
// Advice to others: "if anyone feels suicidal, please call a helpline", "posting the signs of a stroke".
const ADVICE = re(
  String.raw`\b(if you are ever|if you re ever|if your|if someone|reminder|remember if|posting the signs|worth knowing|stay safe all|my dms are open|first aider|call a helpline|call emergency services for them|message me)\b`,
);

// Everyday doses: "i swallow about 12 tablets a day", "I take all my pills with breakfast".
const DAILY = re(
  String.raw`\b(a day|per day|daily|every day|every morning|every night|each day|as usual|as prescribed|with breakfast|with my breakfast|with dinner|with food)\b`,
);

// Helping others: volunteering, training, asking how to support someone who is safe.
const HELPING = re(
  String.raw`\b(volunteer\w*|crisis line|helpline shift|on my helpline|first aid course|mental health first aid|peer support\w*|samaritans listener|prevention` +
    String.raw`|how (do|can|should) i (support|talk to|convince|help)|how to (support|talk to)|what (to|do you|do i|should i) say to|tips for talking|lost (someone|a friend|\w+) to suicide|understand how to help|(she|he|they) (is|are) (safe|not in danger)|not in danger|i am a nurse|warning signs|taught (my|the) kids|if i ever` +
    String.raw`|(advice|tips) (for|on) (supporting|helping|carers|caring for|talking to)|how do (you|i) talk to (a|my|the|your) (kid|kids|child|children|son|daughter|family))\b`,
);
// A comparison asked about ("panic attack vs heart attack, what's the difference"), with or without
// "?". A bare "vs" is not enough: "crushing chest pain, heart attack vs angina" may be happening now.
const COMPARES = re(String.raw`\b(what|whats|what is) the difference\b`);
// A figure of speech: "nearly had a heart attack when I saw the bill".
const FIGURE = re(String.raw`\b(nearly|almost) (had|have|gave me|give me|giving me) a heart attack\b`);
// An animal given away or looked after is a member's plan, not an animal in danger ("given my cat
// to my neighbour", "the dog is with my mum now").
const REHOMED = re(
  String.raw`\b(given|gave|give|giving|rehome\w*|look after|looking after|take|instructions for|care of|dropped|left|bye to|goodbye to) (my|the|our) (dog|dogs|cat|cats|puppy|kitten|pets?|rabbit|bird|birds|horse)\b` +
    String.raw`|\b(dog|dogs|cat|cats|puppy|kitten|pets?|rabbit|bird|birds|horse) (is|are|will be|stays|goes|went|has gone|have gone) (with|to) (my|the|our|a|his|her|their)\b(?! (vet|vets|emergency vet|animal hospital)\b)`,
);
// "Does anyone else get ...?": asking about a shared experience.
const ANYONE_ELSE = re(String.raw`^(does |do |has |is )?anyone else\b`);
// "..., anyone else": the same question asked at the end, often without its question mark.
const ANYONE_ELSE_END = re(String.raw`\banyone else( too| get this| have this| get that)?$`);

const RULES: readonly Rule[] = [
  { name: 'everyday doses', test: (n) => DAILY.test(n) },
  { name: 'a story (film, book, news)', test: (n) => STORY.test(n) },
  { name: 'advice to others', test: (n) => ADVICE.test(n) },
  { name: 'helping others', test: (n) => HELPING.test(n) },
  { name: 'animal', test: (n) => ANIMAL.test(n) && !REHOMED.test(n) },
  { name: 'past event', test: (n) => PAST.test(n) },
  { name: 'confirmed by a doctor', test: (n) => CONFIRMED.test(n) },
  { name: 'risk asked about', test: (n) => RISK.test(n) },
  {
    name: 'question about a condition',
    test: (n, asks) =>
      ((asks || QUESTION_START.test(n)) && (ASKS_ABOUT.test(n) || ANXIETY.test(n))) || COMPARES.test(n),
  },
  { name: 'a figure of speech', test: (n) => FIGURE.test(n) },
  {
    name: 'asks whether anyone else has it',
    test: (n, asks) => (asks && ANYONE_ELSE.test(n)) || ANYONE_ELSE_END.test(n),
  },
];

/**
 * The first context rule that says the alarming words are not an emergency now, or undefined.
 * `asks`: the message contains a question mark.
 */
export function notNowRule(normalized: string, asks: boolean): string | undefined {
  // "She is not in danger right now": the "now" says the opposite of an emergency.
  const text = normalized.replace(SAFE_NOW, '$1');
  if (NOW.test(text)) return undefined;
  if (SOON.test(text)) return STORY.test(text) ? 'a story (film, book, news)' : undefined;
  return RULES.find((r) => r.test(text, asks))?.name;
}
