/* slot.c - the current engine of a long-running process, swapped on reload
 *
 * A reader takes a reference under a short lock and scans without it; a
 * reload builds the new engine with no lock held, then swaps the pointer.
 * The old engine is freed by whichever of the slot or the last scan drops
 * the final reference, so scans in flight finish on the engine they began
 * with and nothing waits for a reload.
 */
#include "internal.h"

struct vigie_slot {
	GMutex lock;
	vigie_engine *current;
};

/* vigie_slot_new - a slot holding e (the slot takes the caller's reference);
 * e may be NULL: a daemon whose rules failed to load serves its fail modes
 * until a reload succeeds */
vigie_slot *vigie_slot_new(vigie_engine *e)
{
	vigie_slot *s = g_new0(vigie_slot, 1);
	g_mutex_init(&s->lock);
	s->current = e;
	return s;
}

/* vigie_slot_free - drop the slot's reference; NULL is a no-op */
void vigie_slot_free(vigie_slot *s)
{
	if (!s)
		return;
	vigie_engine_unref(s->current);
	g_mutex_clear(&s->lock);
	g_free(s);
}

/* vigie_slot_get - a new reference to the current engine */
vigie_engine *vigie_slot_get(vigie_slot *s)
{
	g_mutex_lock(&s->lock);
	vigie_engine *e = s->current ? vigie_engine_ref(s->current) : NULL;
	g_mutex_unlock(&s->lock);
	return e;
}

/* vigie_slot_reload - build from config_path and swap; old engine kept on failure */
bool vigie_slot_reload(vigie_slot *s, const char *config_path, GError **err)
{
	vigie_engine *fresh = vigie_engine_load(config_path, err);
	if (!fresh)
		return false;
	g_mutex_lock(&s->lock);
	vigie_engine *old = s->current;
	s->current = fresh;
	g_mutex_unlock(&s->lock);
	vigie_engine_unref(old);
	return true;
}
