/**
 * Input limits shared by the functions and the browser widget, so the page
 * refuses exactly what the server would. Lengths are JavaScript string
 * lengths (UTF-16 code units), the stricter reading of Twilio's limits.
 */
export const LIMITS = {
  /** Customer's display name, as agents see it. */
  friendlyNameMaxLength: 64,
  /** Twilio's limit for a Conversations message body. */
  questionMaxLength: 1600,
  /** Twilio's limit for web chat pre-engagement data (error 45731). */
  preEngagementMaxBytes: 16 * 1024,
  /** Conversation attributes as a whole (Twilio's limit for conversations). */
  conversationAttributesMaxBytes: 16 * 1024,
  /** Pre-engagement keys: a letter, then letters, digits, `_`, `-` or `.`. */
  preEngagementKeyPattern: /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
  /** The site's context for the agent (`FlexWebchat.setContext`): a flat object, as JSON. */
  contextMaxBytes: 4 * 1024,
  /** The page where the chat started: its URL and title, as the agent sees them. */
  pageUrlMaxLength: 2048,
  pageTitleMaxLength: 200,
  /** The widget's language tag (BCP 47, e.g. `en`, `es-MX`). */
  localeMaxLength: 35,
  /** A survey comment (POST /survey): a few sentences, well within the attributes' 16 KB. */
  surveyCommentMaxLength: 1000,
  /** An Access Token is about 600 bytes; anything much longer is not one. */
  tokenMaxLength: 4096,
} as const;
