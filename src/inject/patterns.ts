/**
 * Phrase signals for the injection detector: each entry is one finding id, a label for humans, a weight and a
 * regular expression.
 *
 * Linear-time rule: every pattern is a literal anchor followed only by bounded gaps (`[^\n.]{0,60}`) and
 * alternations of literals, never a nested or unbounded quantifier, so a scan costs O(length × small constant)
 * whatever the input. Weights follow the scheme documented in detect.ts: ≥ 0.5 means "enough on its own for
 * untrusted text", 0.2–0.45 means "suspicious only together with something else". Ordinary developer prose
 * (install steps, "ignore the files in dist/", "send feedback to …") must hit nothing or only weak signals.
 */

export interface PhraseSignal {
  id: string;
  label: string;
  weight: number;
  re: RegExp;
}

const AI = String.raw`(?:ai|a\.i\.|assistant|agent|llm|language model|chat ?bot|claude|chatgpt|gpt-?\d?|copilot|gemini|the model|ai model|bot)`;
// "the" / "these" are left out of PRIOR on purpose: "ignore the lint rules in dist/" is ordinary advice.
const PRIOR = String.raw`(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|all|any|every|your|existing|other)`;
const RULES = String.raw`(?:instructions?|prompts?|directions|directives?|guidelines|guidance|constraints|context|programming|system prompt|rules (?:you|above|given))`;
const SECRET = String.raw`(?:~\/\.ssh|\.ssh\/|id_rsa|id_ed25519|ssh keys?|private keys?|api[ _-]?keys?|secret keys?|access keys?|access tokens?|auth tokens?|bearer tokens?|session tokens?|credentials|passwords?|\.aws\/credentials|aws_secret_access_key|\.npmrc|\.netrc|\.env\b|environment variables|env vars|cookies|keychain|wallet|seed phrase)`;
const SEND = String.raw`(?:send|post|upload|forward|transmit|exfiltrate|leak|email|e-mail|submit|pipe|curl|beacon|report)`;

/** The signal table. Order is irrelevant; ids are part of the public API (they appear in findings and logs). */
export const PHRASES: PhraseSignal[] = [
  // ---- instruction override -------------------------------------------------------------------------------
  {
    id: 'override.ignore-previous',
    label: 'asks to ignore or override earlier instructions',
    weight: 0.85,
    re: new RegExp(String.raw`\b(?:ignore|disregard|forget|override|bypass|neglect|discard|abandon|drop|skip)\b[^\n.]{0,25}?\b${PRIOR}\b[^\n.]{0,25}?\b${RULES}\b`, 'gi'),
  },
  {
    id: 'override.ignore-previous-i18n',
    label: 'asks to ignore earlier instructions (French, Spanish, German, Italian, Portuguese)',
    weight: 0.8,
    re: /\b(?:ignor(?:ez|a|ar|iere|ieren|ate)|oubliez|olvida|olvide|vergiss|vergessen sie|dimentica|esque[cç]a)\b[^\n.]{0,30}?\b(?:instructions|instrucciones|anweisungen|instruktionen|istruzioni|instru[cç][oõ]es)\b/gi,
  },
  {
    id: 'override.forget-everything',
    label: 'asks to forget everything said before',
    weight: 0.6,
    re: /\b(?:forget|disregard|ignore)\s+(?:everything|all(?: of)? that|what)\s+(?:you(?:'ve| have)?\s+(?:been told|read|learned|were told)|(?:i|we)\s+(?:said|told you)|above|before)/gi,
  },
  {
    id: 'override.ignore-and-say',
    label: 'asks to ignore the content and state something else',
    weight: 0.55,
    re: /\b(?:ignore|disregard)\s+(?:the|this|that|all|any)\s+(?:\w+\s+){0,5}?(?:and|then|,)\s+(?:instead\s+)?(?:state|say|respond|reply|answer|claim|tell|output|report that|write that)\b/gi,
  },
  {
    id: 'override.new-instructions',
    label: 'announces new or replacement instructions',
    weight: 0.5,
    re: /\b(?:new|real|actual|true|secret|hidden|override|priority|system|admin)\s+(?:instructions?|directives?|orders|task)\s*(?::|-\s|follow)/gi,
  },
  {
    id: 'override.updated-instructions',
    label: 'announces updated or additional instructions',
    weight: 0.3,
    re: /\b(?:updated|revised|additional|important|further)\s+(?:instructions?|directives?)\s*:/gi,
  },
  {
    id: 'override.respond-only',
    label: 'dictates the exact answer to give',
    weight: 0.45,
    re: /\b(?:respond|reply|answer)\s+only\s+with\b|\b(?:respond|reply|answer|output)\s+(?:only\s+)?with\b[^\n]{0,80}?\band\s+nothing\s+else\b/gi,
  },
  {
    id: 'override.your-new-task',
    label: 'redefines the reader\'s task or goal',
    weight: 0.55,
    re: /\byour\s+(?:new|real|actual|true|only|primary|next)\s+(?:task|goal|objective|job|mission|instructions?|purpose)\s+(?:is|are|will be|now)\b/gi,
  },
  {
    id: 'override.instead',
    label: 'tells the reader to do something else instead of its task',
    weight: 0.5,
    re: /\b(?:instead of (?:summari[sz]ing|answering|translating|reviewing|responding|doing (?:that|this|your task))|rather than (?:summari[sz]ing|answering|following)|stop (?:what you are doing|summari[sz]ing|reading|your (?:current )?task))/gi,
  },
  {
    id: 'override.system-prompt',
    label: 'asks for or redefines the system prompt',
    weight: 0.7,
    re: /\b(?:reveal|print|output|repeat|show|display|leak|dump|tell me|share|disclose)\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|entire\s+|original\s+|initial\s+|hidden\s+)?(?:system\s+prompt|system\s+message|initial\s+(?:prompt|instructions)|hidden\s+instructions|instructions\s+above)/gi,
  },
  {
    id: 'override.system-prompt-label',
    label: 'inline "system prompt:" label',
    weight: 0.4,
    re: /(?:^|[\n>"'\[(])\s*(?:system\s+prompt|system\s+message|system\s+override|admin\s+override)\s*:/gi,
  },
  // ---- role hijack --------------------------------------------------------------------------------------
  {
    id: 'role.you-are-now',
    label: 'tries to give the reader a new identity or mode',
    weight: 0.7,
    re: /\byou\s+are\s+(?:now|no longer|henceforth)\s+(?:a\s+|an\s+|in\s+|the\s+|my\s+)?(?:dan\b|ai\b|assistant|agent|unrestricted|unfiltered|uncensored|jailbroken|free\b|different|new\b|evil|bound|restricted|limited|required|allowed|permitted|operating|acting|developer mode|debug mode|god mode|admin mode|root|sudo|hacker)/gi,
  },
  {
    id: 'role.from-now-on',
    label: '"from now on you …" re-programming',
    weight: 0.55,
    re: /\bfrom\s+now\s+on\b,?\s+(?:you\s+(?:are|will|must|should|shall|may|can)|act|respond|answer|reply|always|never|only)\b/gi,
  },
  {
    id: 'role.pretend',
    label: 'asks the reader to role-play or pretend',
    weight: 0.45,
    re: /\b(?:pretend\s+(?:to be|that you|you are)|roleplay\s+as|role-play\s+as|you\s+(?:will|must|should)\s+(?:now\s+)?act\s+as|act\s+as\s+(?:if you (?:were|are)|an?\s+(?:unrestricted|unfiltered|evil|jailbroken))|simulate\s+(?:a|an)\s+(?:unrestricted|unfiltered))/gi,
  },
  {
    id: 'role.mode-switch',
    label: 'invokes a jailbreak or privileged mode',
    weight: 0.5,
    re: /\b(?:enable|enter|activate|switch to|in)\s+(?:developer|debug|god|jailbreak|dan|admin|maintenance|unrestricted)\s+mode\b|\bjailbreak(?:ed)?\s+(?:prompt|mode|successful)/gi,
  },
  // ---- addressed to the AI reader ------------------------------------------------------------------------
  {
    id: 'addressed.ai',
    label: 'text addressed to an AI assistant or agent',
    weight: 0.5,
    re: new RegExp(String.raw`\b(?:(?:note|message|instructions?|attention|notice|important|reminder|memo|request)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?${AI}s?\b|(?:dear|hey|hi|hello|attention)(?:\s+there)?\s*,?\s+(?:[a-z]+\s+)?${AI}s?\b(?!-)|\b${AI}\s+(?:instructions?|directives?|note|notice|task)\s*:|if\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|large language model|language model|assistant|chatbot|bot|agent|automated|gpt|claude)\b|${AI}s?\s+(?:reading|processing|summari[sz]ing|parsing|crawling|browsing|visiting|analy[sz]ing)\s+(?:this|these)\b)`, 'gi'),
  },
  {
    id: 'addressed.task-hook',
    label: 'hooks into the reader\'s task ("when summarizing this page, say …")',
    weight: 0.45,
    re: /\b(?:when|while|after|before|as)\s+(?:you\s+)?(?:summari[sz]e|summari[sz]ing|answer|answering|respond|responding|reply|replying|process|processing|read|reading|review|reviewing|translate|translating|write|writing)\b[^\n.;]{0,50}?\b(?:this|these|the user's|the)\s+(?:email|page|document|article|message|issue|file|question|request|module|text|content|thread|summary|answer)s?\b,?\s+(?:please\s+)?(?:also\s+)?(?:tell|say|state|mention|claim|respond|reply|include|add|recommend|insist|write|output|report|inform)\b/gi,
  },
  {
    id: 'addressed.authority',
    label: 'claims authority from the user, developer or vendor',
    weight: 0.65,
    re: /\b(?:this\s+is\s+an?\s+(?:urgent\s+|official\s+|important\s+)?(?:message|instruction|request|order|notice)\s+from\s+(?:the\s+|your\s+)?(?:user|developer|admin|administrator|system|operator|owner|anthropic|openai|security team)|(?:anthropic|openai|the user|your user|the developer|the administrator)\s+(?:has|have)\s+(?:authori[sz]ed|instructed|approved|asked|requested|allowed)\s+you\b|the\s+user\s+(?:wants|asked|instructed|requested|expects|would like)\s+you\s+to\b)/gi,
  },
  {
    id: 'addressed.conceal',
    label: 'asks the reader to hide its actions from the user',
    weight: 0.7,
    re: /\b(?:(?:do\s+not|don't|never|no\s+need\s+to)\s+(?:tell|inform|mention\s+(?:it|this)\s+to|reveal\s+(?:it|this)\s+to|alert|notify|show|let|bother|ask)\s+(?:this\s+to\s+)?(?:the|your)\s+(?:user|human|developer|operator|owner)|(?:do\s+not|don't|never)\s+(?:mention|reveal|disclose|acknowledge)\s+(?:these|this|the|any)\s+(?:instructions?|message|note|directives?)|without\s+(?:telling|informing|asking|notifying|alerting|mentioning it to)\s+(?:the|your)\s+(?:user|human|developer|operator)|(?:the|your)\s+(?:user|human)\s+(?:must|should)\s+(?:not|never)\s+(?:know|see|find out|be told)|(?:do\s+(?:this|it)|proceed)\s+(?:silently|quietly|secretly|covertly))/gi,
  },
  {
    id: 'addressed.your-response',
    label: 'dictates what the reader puts in its answer',
    weight: 0.4,
    re: /\b(?:add|include|insert|append|prepend|integrate|incorporate|embed|blend|put|mention|feature|start|begin|end|conclude|finish|encode|translate|reverse|write|format|use|express|represent|respond|answer|reply)\b[^\n.]{0,60}?\b(?:in|into|within|to|of|throughout)\s+(?:your|the)\s+(?:response|responses|answer|answers|reply to the user|output|summary|solution|code implementation|final answer)\b(?!\s+(?:to|of)\s+(?:this|the|our|my)\b)|\byour\s+(?:response|answer|output)(?:'s)?\s+(?:must|should|will|needs to)\b/gi,
  },
  {
    id: 'addressed.tool-use',
    label: 'tells the reader which of its tools to use',
    weight: 0.5,
    re: /\b(?:use|call|invoke|run|execute)\s+(?:the|your)\s+(?:`)?(?:bash|shell|terminal|webfetch|web_fetch|fetch|browser|read|write|edit|computer|python|code execution|file ?system|mcp)(?:`)?\s+tool\b|\b(?:using|with)\s+your\s+(?:bash|shell|terminal|browser|file ?system|tools?)\s+(?:tool|access|capabilit)/gi,
  },
  // ---- commands, fetches, secrets, exfiltration ---------------------------------------------------------
  {
    id: 'exfil.send-secret',
    label: 'asks to send secrets or credentials somewhere',
    weight: 0.7,
    re: new RegExp(String.raw`\b${SEND}\b[^\n]{0,60}?${SECRET}[^\n]{0,80}?(?:\bto\b|\binto\b|\bat\b|=)\s*(?:https?:\/\/|\S+@\S+\.\w|\bme\b|\bus\b|this (?:url|address|endpoint|server)|the (?:following|url|endpoint|webhook|address))|\b(?:include|add|append|paste|print|output|share|reveal|tell me)\s+(?:your|the user's|the|all)\s+(?:own\s+)?${SECRET}[^\n]{0,40}?\b(?:in|into)\s+(?:your|the)\s+(?:response|answer|reply|output|message|comment|url|link|image)`, 'gi'),
  },
  {
    id: 'exfil.read-secret',
    label: 'asks to read credential files',
    weight: 0.45,
    re: /\b(?:cat|read|open|print|dump|output|show|get|copy|list|contents of|content of)\s+(?:the\s+)?(?:contents?\s+of\s+)?(?:~|\$HOME|\/root|\/home\/\w+)\/\.(?:ssh|aws|gnupg|kube|docker|npmrc|netrc|git-credentials|config\/gh)\b(?![\w\/.-]*\.pub\b)/gi,
  },
  {
    id: 'exfil.keyword',
    label: 'mentions exfiltrating data',
    weight: 0.3,
    re: /\bexfiltrat(?:e|ing|ion)\b/gi,
  },
  {
    id: 'exec.pipe-to-shell',
    label: 'download piped into a shell',
    weight: 0.15,
    re: /\b(?:curl|wget)\s[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/gi,
  },
  {
    id: 'exec.run-request',
    label: 'asks the reader to run a command or code',
    weight: 0.2,
    re: /\b(?:immediately\s+|now\s+|please\s+|you\s+(?:must|should|need to)\s+)(?:run|execute|exec|eval)\s+(?:the\s+following|this|these)?\s*(?:command|script|code|snippet)?\s*[:`]/gi,
  },
  {
    id: 'exec.destructive',
    label: 'destructive command in the text',
    weight: 0.3,
    re: /\brm\s+-(?:rf|fr|r\s+-f|f\s+-r)\s+(?:--no-preserve-root\s+)?(?:\/|~|\$HOME|\/\*)(?=[\s;`'"]|$)|\bshutil\.rmtree\(\s*['"](?:\/|~|C:\\\\?)['"]|\bmkfs\.\w+\s+\/dev\/|\bdd\s+if=\/dev\/(?:zero|urandom)\s+of=\/dev\/[sh]d|:\(\)\s*\{\s*:\|:&\s*\};:|\bformat\s+c:/gi,
  },
  {
    id: 'exec.malicious-code',
    label: 'code that uploads local data, logs keys or scrapes the screen',
    weight: 0.35,
    re: /\b(?:pynput|keyboard\.on_press|GetAsyncKeyState|pbpaste|pyperclip\.paste|pyautogui\.screenshot|ImageGrab\.grab|requests\.(?:post|put)\([^\n]{0,120}\b(?:open\(|read\(\)|os\.environ|platform\.|getpass|clipboard)|os\.environ\b[^\n]{0,80}requests\.(?:post|get)|ipconfig\s+\/release|netsh\s+(?:interface|advfirewall)|Fernet\([^\n]{0,40}\)\.encrypt|socket\.SOCK_(?:STREAM|DGRAM)[\s\S]{0,300}?while\s+True)/gi,
  },
  {
    id: 'exec.code-directive',
    label: 'directs the reader to add a code snippet to its own output',
    weight: 0.25,
    re: /\b(?:add|include|insert|embed|incorporate|integrate|blend|feature|use|inject|place)\b[^\n.]{0,40}?\b(?:following|below|subsequent|this|these)\s+(?:code|snippet|code snippet|code block|code excerpt|lines?)\b[^\n.]{0,60}?\b(?:your|the)\s+(?:response|answer|solution|code you|implementation|codebase|output)/gi,
  },
  // ---- chat-template and tool markers ---------------------------------------------------------------------
  {
    id: 'template.special-token',
    label: 'chat-template special token',
    weight: 0.7,
    re: /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_turn|start_of_turn)\|>|<(?:start_of_turn|end_of_turn)>/gi,
  },
  {
    id: 'template.inst',
    label: 'Llama-style [INST] / <<SYS>> marker',
    weight: 0.6,
    re: /\[\/?INST\]|<<\/?SYS>>/g,
  },
  {
    id: 'template.system-tag',
    label: 'fake system / tool-result markup',
    weight: 0.6,
    re: /<\/?(?:system|system[-_]prompt|system[-_]message|system[-_]reminder|system[-_]instructions?|admin[-_]instructions?|tool[-_]result|tool[-_]results|function[-_]results|function[-_]calls|antml:[a-z_]+|instructions|user[-_]query|assistant[-_]response)>|<invoke\s+name=/gi,
  },
  {
    id: 'template.md-role-header',
    label: 'markdown role header ("### System:")',
    weight: 0.55,
    re: /^[ \t]*#{1,6}[ \t]*(?:system|instruction|instructions|assistant|response|user)[ \t]*:[ \t]*$/gim,
  },
  {
    id: 'template.turn-marker',
    label: 'Human:/Assistant: conversation turn marker',
    weight: 0.3,
    re: /(?:^|\n)[ \t]*(?:Human|Assistant|H|A)[ \t]*:[ \t]+\S/g,
  },
  {
    id: 'template.conversation',
    label: 'fake Human:/Assistant: conversation',
    weight: 0.6,
    re: /(?:^|\n)[ \t]*Human[ \t]*:[^\n]{1,2000}\n(?:[ \t]*\n)?[ \t]*Assistant[ \t]*:/g,
  },
  // ---- obfuscation hints ----------------------------------------------------------------------------------
  {
    id: 'encoded.decode-and-follow',
    label: 'asks to decode a payload and act on it',
    weight: 0.45,
    re: /\b(?:decode|decrypt|deobfuscate|unscramble)\b[^\n.]{0,50}?\b(?:and|then)\s+(?:follow|execute|run|obey|do|perform|carry out|apply)\b/gi,
  },
];

/** Labels of findings computed outside the phrase table (hidden content, encodings, URLs). */
export const STRUCTURAL_LABELS: Record<string, string> = {
  'hidden.zero-width': 'zero-width characters inside words',
  'hidden.bidi': 'bidirectional control characters',
  'hidden.tag-chars': 'invisible Unicode tag characters',
  'hidden.html-comment': 'instruction-like text inside an HTML comment',
  'hidden.css-hidden': 'instruction-like text inside an element hidden from view',
  'hidden.homoglyph': 'word mixing Latin with Cyrillic/Greek look-alike letters',
  'encoded.base64': 'base64 block that decodes to instruction-like text',
  'encoded.hex': 'hex block that decodes to instruction-like text',
  'exfil.markdown-image': 'image URL carrying data in its query (renders as a silent request)',
  'exfil.link-data': 'link URL carrying placeholder or encoded data in its query',
};
