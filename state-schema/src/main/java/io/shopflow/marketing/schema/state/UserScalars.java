package io.shopflow.marketing.schema.state;

/**
 * Every single-valued state of one user in one value: a write-back or a first read of the user
 * costs one RocksDB put or get instead of one per state, and the checkpoint flushes one column
 * family instead of seven. The affinities are here too: small and bounded, and changed by most
 * events, they cost less rewritten with the rest than as map entries of their own. The other maps
 * stay separate (they are read and written per entry). A null field is a state the user does not
 * have.
 */
public class UserScalars {
  public SessionState session;
  public ProfileCore profile;

  /** Recently viewed and bought item ids, most recent first. */
  public String[] recentViewed;

  public String[] recentBought;
  public Deadlines deadlines;

  /** The user's matrix-factorisation factor. */
  public double[] mfFactor;

  public UserRecState recs;

  /** Decayed affinity per leaf category and per item (bounded by the engine's configuration). */
  public DecayedScores categoryAffinity;

  public DecayedScores itemAffinity;

  public UserScalars() {}

  /** Whether no field is set: the user has none of these states. */
  public boolean holdsNothing() {
    return session == null
        && profile == null
        && recentViewed == null
        && recentBought == null
        && deadlines == null
        && mfFactor == null
        && recs == null
        && categoryAffinity == null
        && itemAffinity == null;
  }
}
