/*
 * audit.c - a whole archive checked into the store: the calling thread
 * reads records, skips what the store already holds unchanged, hands the
 * rest to worker threads (segment, align, check) and stores their results
 * in input order.  Option parsing, progress display and summaries are the
 * CLI's (cmd_audit.c); SQL is the store's.
 */
#include "alignqa.h"
#include "store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Records in flight per worker: enough to keep every worker busy while the
 * writer commits a batch, few enough that memory stays flat. */
#define AUDIT_SLOTS_PER_JOB 128  /* records in flight a worker: a wide window
                                  * keeps the workers busy while the writer
                                  * waits for the oldest, or is not scheduled
                                  * (--jobs 2, 20,000 records: 2.06-2.20 s
                                  * against 2.29-2.42 s with 32, 2.01 s with
                                  * 512 for 4.5 MB more; 7,081 against 6,289
                                  * records/s for 32 against 4) */
#define AUDIT_INFLIGHT_BYTES ((uint64_t)64 << 20) /* text in flight at most
                                  * (one record alone may exceed it) */
/* Records a worker takes at once, and how many records the writer lets
 * finish (or pile up untaken) before it wakes (or wakes a worker): one
 * futex wake-up per few records instead of two per record. */
#define AUDIT_TAKE_MAX 4
#define AUDIT_WAKE_BATCH 8
/* The most worker threads an audit starts. */
#define AUDIT_MAX_JOBS 256
/* Seconds between two progress callbacks. */
#define AUDIT_PROGRESS_EVERY 0.2

/* One record in flight and what its worker made of it.  Slot seq %
 * n_slots holds record number seq; its buffers are reused. */
typedef struct audit_slot {
	aq_record *rec;        /* owned from submission until stored */
	char hash[17];         /* aq_store_content_hash() of rec */
	aq_spans en_s, zh_s;   /* sentences */
	aq_beads beads;
	aq_findings findings;
	bool done;             /* the worker has finished (under the mutex) */
	bool failed;           /* the record could not be checked: see error */
	char error[1200];      /* "source:line: record id: message" */
} audit_slot;

struct audit;

/* A worker thread and what it owns. */
typedef struct audit_worker {
	struct audit *au;
	pthread_t thread;
	aq_ctx *ctx;           /* errors of this worker's objects */
	aq_segmenter *seg;
	aq_aligner *al;
	aq_checker *chk;
} audit_worker;

typedef struct audit {
	pthread_mutex_t mu;
	pthread_cond_t work;   /* a record was submitted, or closing */
	pthread_cond_t done;   /* a worker finished a record */
	audit_slot *slots;
	size_t n_slots;
	uint64_t submitted;    /* records handed to the workers (writer only) */
	uint64_t taken;        /* records a worker has taken (under the mutex) */
	uint64_t written;      /* records stored (writer only) */
	uint64_t inflight;     /* text bytes of the records submitted and not
	                        * yet stored (writer only) */
	bool closing;          /* no more records will come */
	/* Who sleeps (under the mutex): a condition is signalled only when
	 * someone waits on it, which spares a futex call a record. */
	unsigned n_idle;       /* workers waiting for work */
	bool writer_waiting;   /* the writer waits for record wait_seq to finish */
	uint64_t wait_seq;     /* (under the mutex, while writer_waiting) */
	audit_worker *workers;
	unsigned n_workers;    /* workers created */
	unsigned n_started;    /* threads running */
	/* The writer's side. */
	aq_ctx *ctx;
	aq_store *st;
	const aq_audit_opts *opts;
	char digest[17];       /* aq_run_digest() of the setup */
	aq_audit_stats stats;
	struct timespec t0;
	double last_progress;  /* elapsed_s of the last progress callback */
} audit;

static double audit_elapsed(const audit *au)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - au->t0.tv_sec) + (double)(now.tv_nsec - au->t0.tv_nsec) / 1e9;
}

static void audit_progress(audit *au, bool force)
{
	double t = audit_elapsed(au);

	if (!au->opts->progress || (!force && t - au->last_progress < AUDIT_PROGRESS_EVERY))
		return;
	au->last_progress = t;
	au->stats.elapsed_s = t;
	au->opts->progress(&au->stats, au->opts->payload);
}

/* Segments, aligns and checks the record of s with the worker's objects. */
static void audit_check_record(audit_worker *w, audit_slot *s)
{
	const aq_record *rec = s->rec;
	aq_alignment a = { rec, &s->en_s, &s->zh_s, &s->beads, NULL };

	s->failed = false;
	if (aq_segment_text(&s->en_s, w->seg, AQ_LANG_EN, rec->en, rec->en_len) ||
	    aq_segment_text(&s->zh_s, w->seg, AQ_LANG_ZH, rec->zh, rec->zh_len) ||
	    aq_align(&s->beads, w->al, rec->en, s->en_s.v, s->en_s.n, rec->zh, s->zh_s.v,
		    s->zh_s.n) ||
	    (a.evidence = aq_aligner_evidence(w->al), 0) ||
	    aq_check(&s->findings, w->chk, &a)) {
		s->failed = true;
		snprintf(s->error, sizeof(s->error), "%s:%u: record %s: %s",
			rec->source ? rec->source : "-", rec->line, rec->id ? rec->id : "",
			aq_ctx_errmsg(w->ctx));
	}
}

static void *audit_worker_main(void *arg)
{
	audit_worker *w = arg;
	audit *au = w->au;

	pthread_mutex_lock(&au->mu);
	for (;;) {
		uint64_t first, n;

		while (au->taken == au->submitted && !au->closing) {
			au->n_idle++;
			pthread_cond_wait(&au->work, &au->mu);
			au->n_idle--;
		}
		first = au->taken;
		n = au->submitted - au->taken;
		if (n == 0)
			break; /* closing and nothing left */
		if (n > AUDIT_TAKE_MAX)
			n = AUDIT_TAKE_MAX;
		au->taken += n;
		pthread_mutex_unlock(&au->mu);
		for (uint64_t i = 0; i < n; i++)
			audit_check_record(w, &au->slots[(first + i) % au->n_slots]);
		pthread_mutex_lock(&au->mu);
		for (uint64_t i = 0; i < n; i++)
			au->slots[(first + i) % au->n_slots].done = true;
		if (au->writer_waiting && au->slots[au->wait_seq % au->n_slots].done)
			pthread_cond_signal(&au->done);
	}
	pthread_mutex_unlock(&au->mu);
	return NULL;
}

/* Stores an input error of the run and tells the caller. */
static int audit_input_error(audit *au, const char *message)
{
	int rc;

	au->stats.input_errors++;
	if ((rc = aq_store_input_error(au->st, au->stats.run_id, message)))
		return rc;
	if (au->opts->on_input_error)
		au->opts->on_input_error(message, au->opts->payload);
	return 0;
}

/* Stores the finished record of slot s and frees it. */
static int audit_store_slot(audit *au, audit_slot *s)
{
	aq_alignment a = { s->rec, &s->en_s, &s->zh_s, &s->beads, NULL };
	int rc;

	if (s->failed) {
		rc = audit_input_error(au, s->error);
	} else {
		rc = aq_store_record_hash(au->st, au->stats.run_id, &a, &s->findings, s->hash);
		if (rc == AQ_EINPUT) {
			char msg[1200];

			/* A record id twice in the input: the first one stays. */
			snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(au->ctx));
			rc = audit_input_error(au, msg);
		} else if (rc == 0) {
			au->stats.checked++;
			au->stats.findings += s->findings.n;
			for (size_t i = 0; i < s->findings.n; i++) {
				const aq_finding *f = &s->findings.v[i];

				if ((unsigned)f->severity < 3)
					au->stats.by_severity[f->severity]++;
				if ((unsigned)f->category < AQ_CAT__COUNT)
					au->stats.by_category[f->category]++;
			}
		}
	}
	au->inflight -= s->rec->en_len + s->rec->zh_len;
	aq_record_free(s->rec);
	s->rec = NULL;
	s->done = false;
	return rc;
}

/* Stores finished records in input order until at most max_pending are in
 * flight, waiting for the workers when needed (max_pending 0: all). */
static int audit_write(audit *au, uint64_t max_pending)
{
	int rc = 0;

	pthread_mutex_lock(&au->mu);
	while (au->written < au->submitted) {
		audit_slot *s = &au->slots[au->written % au->n_slots];

		if (!s->done) {
			uint64_t pending = au->submitted - au->written;

			if (pending <= max_pending)
				break;
			/* Sleep until a few records are done, not just the next. */
			au->wait_seq = au->written + (pending < AUDIT_WAKE_BATCH ? pending :
				AUDIT_WAKE_BATCH) - 1;
			if (au->n_idle && au->taken < au->submitted)
				pthread_cond_broadcast(&au->work);
			au->writer_waiting = true;
			pthread_cond_wait(&au->done, &au->mu);
			au->writer_waiting = false;
			continue;
		}
		/* The slot is the writer's until it is submitted again. */
		pthread_mutex_unlock(&au->mu);
		rc = audit_store_slot(au, s);
		audit_progress(au, false);
		pthread_mutex_lock(&au->mu);
		au->written++;
		if (rc)
			break;
	}
	pthread_mutex_unlock(&au->mu);
	return rc;
}

/* Hands rec, whose content hash is hash, to the workers (there is room:
 * see audit_write). */
static void audit_submit(audit *au, aq_record *rec, const char *hash)
{
	audit_slot *s = &au->slots[au->submitted % au->n_slots];

	s->rec = rec;
	memcpy(s->hash, hash, sizeof(s->hash));
	s->done = false;
	au->inflight += rec->en_len + rec->zh_len;
	pthread_mutex_lock(&au->mu);
	au->submitted++;
	/* A worker wakes for a few records; audit_write() wakes the workers
	 * for fewer before it waits itself. */
	if (au->n_idle && au->submitted - au->taken >= AUDIT_TAKE_MAX)
		pthread_cond_signal(&au->work);
	pthread_mutex_unlock(&au->mu);
}

/* Makes the objects of one worker. */
static int audit_worker_init(audit *au, audit_worker *w)
{
	const aq_audit_opts *o = au->opts;
	int rc;

	w->au = au;
	if ((rc = aq_ctx_new(&w->ctx)))
		return aq_ctx_error(au->ctx, rc, "out of memory");
	if ((rc = aq_segmenter_clone(&w->seg, w->ctx, o->seg)) ||
	    (rc = aq_aligner_new(&w->al, w->ctx, o->align_opts, o->dict, o->glossary)) ||
	    (rc = aq_checker_new(&w->chk, w->ctx, o->rules)))
		return aq_ctx_error(au->ctx, rc, "%s", aq_ctx_errmsg(w->ctx));
	return 0;
}

static void audit_worker_dispose(audit_worker *w)
{
	aq_checker_free(w->chk);
	aq_aligner_free(w->al);
	aq_segmenter_free(w->seg);
	aq_ctx_free(w->ctx);
}

/* Whether the record belongs to the shard the options ask for. */
static bool audit_in_shard(const aq_audit_opts *o, const aq_record *rec)
{
	const char *id = rec->id ? rec->id : "";

	if (!o->shard_n)
		return true;
	return aq_hash64(id, strlen(id), 0) % o->shard_n == o->shard_k - 1;
}

/* The reading loop: every record of the input, submitted or skipped. */
static int audit_read(audit *au, aq_input *in)
{
	const aq_audit_opts *o = au->opts;
	const char *digest = au->digest;
	bool earlier = true; /* records of earlier runs may be unchanged */
	int rc;

	if (!o->force && (rc = aq_store_has_records(au->st, &earlier)))
		return rc;

	for (;;) {
		aq_record *rec = NULL;
		bool unchanged = false;
		char hash[17];

		rc = aq_input_next(in, &rec);
		if (rc == AQ_ITEROVER)
			return 0;
		if (rc == AQ_EINPUT) {
			char msg[1200];

			snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(au->ctx));
			if ((rc = audit_input_error(au, msg)))
				return rc;
			continue;
		}
		if (rc)
			return rc;
		if (!audit_in_shard(o, rec)) {
			au->stats.other_shards++;
			aq_record_free(rec);
			continue;
		}
		au->stats.records++;
		au->stats.text_bytes += rec->en_len + rec->zh_len;
		/* Only earlier runs count, so that a record id twice in this
		 * input is a duplicate whatever the timing of the workers. */
		aq_store_content_hash(hash, rec);
		if (!o->force && earlier && (rc = aq_store_is_unchanged_hash(au->st, &unchanged, rec,
			    hash, digest, au->stats.run_id))) {
			aq_record_free(rec);
			return rc;
		}
		if (unchanged) {
			au->stats.skipped++;
			aq_record_free(rec);
			audit_progress(au, false);
			continue;
		}
		/* room: a free slot, and the text in flight within its budget */
		rc = audit_write(au, au->n_slots - 1);
		while (!rc && au->submitted > au->written &&
		       au->inflight + rec->en_len + rec->zh_len > AUDIT_INFLIGHT_BYTES)
			rc = audit_write(au, au->submitted - au->written - 1);
		if (rc) {
			aq_record_free(rec);
			return rc;
		}
		audit_submit(au, rec, hash);
	}
}

void aq_run_digest(char out[17], const aq_rules *rules, const aq_lexicon *dict,
	const aq_lexicon *glossary)
{
	char d[17], g[17], all[3 * 17];

	if (!dict && !glossary) {
		snprintf(out, 17, "%s", aq_rules_digest(rules));
		return;
	}
	aq_lexicon_digest(dict, d);
	aq_lexicon_digest(glossary, g);
	snprintf(all, sizeof(all), "%.16s%s%s", aq_rules_digest(rules), d, g);
	snprintf(out, 17, "%016llx", (unsigned long long)aq_hash64(all, strlen(all), 0));
}

int aq_audit_run(aq_audit_stats *stats, aq_ctx *ctx, aq_store *st, const aq_audit_opts *opts)
{
	static const char *const stdin_path[] = { "-" };
	aq_input_opts iopts = { .format = opts->format, .encoding = opts->encoding };
	aq_input *in = NULL;
	audit au;
	unsigned jobs = opts->jobs ? opts->jobs : 1;
	bool sync_ok = false;
	int rc;

	memset(&au, 0, sizeof(au));
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!opts->seg || !opts->rules)
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_audit_run: no segmenter or rules");
	if (opts->shard_n && (opts->shard_k < 1 || opts->shard_k > opts->shard_n))
		return aq_ctx_error(ctx, AQ_EINVAL, "shard %u/%u: want 1 <= K <= N",
			opts->shard_k, opts->shard_n);
	if (jobs > AUDIT_MAX_JOBS)
		jobs = AUDIT_MAX_JOBS;
	au.ctx = ctx;
	au.st = st;
	au.opts = opts;
	clock_gettime(CLOCK_MONOTONIC, &au.t0);
	if (pthread_mutex_init(&au.mu, NULL))
		return aq_ctx_error(ctx, AQ_ENOMEM, "pthread_mutex_init failed");
	if (pthread_cond_init(&au.work, NULL)) {
		pthread_mutex_destroy(&au.mu);
		return aq_ctx_error(ctx, AQ_ENOMEM, "pthread_cond_init failed");
	}
	if (pthread_cond_init(&au.done, NULL)) {
		pthread_cond_destroy(&au.work);
		pthread_mutex_destroy(&au.mu);
		return aq_ctx_error(ctx, AQ_ENOMEM, "pthread_cond_init failed");
	}
	sync_ok = true;
	au.n_slots = (size_t)jobs * AUDIT_SLOTS_PER_JOB;
	au.slots = calloc(au.n_slots, sizeof(*au.slots));
	au.workers = calloc(jobs, sizeof(*au.workers));
	if (!au.slots || !au.workers) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < au.n_slots; i++) {
		aq_spans_init(&au.slots[i].en_s);
		aq_spans_init(&au.slots[i].zh_s);
		aq_beads_init(&au.slots[i].beads);
		aq_findings_init(&au.slots[i].findings);
	}
	for (; au.n_workers < jobs; au.n_workers++)
		if ((rc = audit_worker_init(&au, &au.workers[au.n_workers]))) {
			au.n_workers++; /* partly made: disposed below */
			goto out;
		}
	/* Unreadable paths are input errors later, from aq_input_next(). */
	if ((rc = aq_input_new(&in, ctx, opts->n_paths ? opts->paths : stdin_path,
		    opts->n_paths ? opts->n_paths : 1, &iopts)))
		goto out;
	aq_run_digest(au.digest, opts->rules, opts->dict, opts->glossary);
	if ((rc = aq_store_begin_run(st, &au.stats.run_id, NULL, au.digest, opts->options_json)))
		goto out;
	for (; au.n_started < jobs; au.n_started++) {
		if (pthread_create(&au.workers[au.n_started].thread, NULL, audit_worker_main,
			    &au.workers[au.n_started])) {
			if (au.n_started)
				break; /* fewer threads than asked; still correct */
			rc = aq_ctx_error(ctx, AQ_ENOMEM, "pthread_create failed");
			goto out;
		}
	}
	if ((rc = audit_read(&au, in)))
		goto out;
	if ((rc = audit_write(&au, 0)))
		goto out;
	if ((rc = aq_store_end_run(st, au.stats.run_id, au.stats.checked, au.stats.findings,
		    au.stats.input_errors)))
		goto out;
	au.stats.done = true;
	audit_progress(&au, true);
out:
	if (sync_ok) {
		pthread_mutex_lock(&au.mu);
		au.closing = true;
		pthread_cond_broadcast(&au.work);
		pthread_mutex_unlock(&au.mu);
	}
	for (unsigned i = 0; i < au.n_started; i++)
		pthread_join(au.workers[i].thread, NULL);
	for (unsigned i = 0; i < au.n_workers; i++)
		audit_worker_dispose(&au.workers[i]);
	if (au.slots) {
		for (size_t i = 0; i < au.n_slots; i++) {
			aq_record_free(au.slots[i].rec);
			aq_spans_dispose(&au.slots[i].en_s);
			aq_spans_dispose(&au.slots[i].zh_s);
			aq_beads_dispose(&au.slots[i].beads);
			aq_findings_dispose(&au.slots[i].findings);
		}
	}
	free(au.slots);
	free(au.workers);
	aq_input_free(in);
	if (sync_ok) {
		pthread_cond_destroy(&au.done);
		pthread_cond_destroy(&au.work);
		pthread_mutex_destroy(&au.mu);
	}
	au.stats.elapsed_s = audit_elapsed(&au);
	if (stats)
		*stats = au.stats;
	return rc;
}
