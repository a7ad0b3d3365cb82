// Size caps every payload parser checks before it decodes anything, so a hostile peer cannot make
// us parse megabytes of JSON. Each cap is far above what AWS peers send; its reason is beside it.

/**
 * Acknowledgements, Size, agent_session_state, start/pause_publication, encryption challenges,
 * agent_job_ack, agent_job_reply_ack, agent_task_acknowledge: a few identifiers each (a real ack
 * is 176 bytes). 16 KiB leaves room for long ids and extra keys from newer peers.
 */
export const SMALL_PAYLOAD_MAX_BYTES = 16 * 1024;

/**
 * Payloads carrying free text from the peer: channel_closed and agent_task_complete `Output`,
 * HandshakeComplete `CustomerMessage`. Human-readable messages; 64 KiB is generous.
 */
export const TEXT_PAYLOAD_MAX_BYTES = 64 * 1024;

/**
 * Payloads carrying documents or command results: HandshakeRequest/Response (Session document
 * properties, action results), interactive_shell and agent_job (full documents, double-encoded),
 * agent_job_reply (the agent caps its own replies at 120 000 bytes). Equal to the AgentMessage
 * decoder's default payload limit, so it only bites when that limit was raised.
 */
export const DOCUMENT_PAYLOAD_MAX_BYTES = 1024 * 1024;

/** A Flag payload is exactly one big-endian uint32. */
export const FLAG_PAYLOAD_LENGTH = 4;

/** `EXIT_CODE: ` plus at most 11 characters (`-2147483648`); 32 leaves slack and nothing more. */
export const EXIT_CODE_PAYLOAD_MAX_BYTES = 32;

/**
 * The first text frame of a WebSocket (OpenDataChannel / OpenControlChannel), in UTF-16 code
 * units: ids, a token and versions — a few hundred characters in practice.
 */
export const OPEN_CHANNEL_TEXT_MAX_LENGTH = 64 * 1024;
