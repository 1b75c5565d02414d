// Apart from the adapter so that main.ts can read MODERATORS without loading Baileys.

/**
 * Moderator ids as the router compares them: `whatsapp:15551234567` (digits, as documented for
 * MODERATORS) also matches the phone JID `15551234567@s.whatsapp.net` the adapter reports.
 */
export function whatsappModeratorIds(ids: readonly string[]): string[] {
  return ids.flatMap((id) => {
    const m = /^whatsapp:(\d+)$/.exec(id);
    return m ? [id, `whatsapp:${m[1]}@s.whatsapp.net`] : [id];
  });
}
