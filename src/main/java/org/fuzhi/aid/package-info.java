/**
 * 资助与资金 — aid from kindergarten to university (SPEC §2.5): the policy catalog, terms (学期) as the aid cycle,
 * entitlements generated from a finished identification round, funding sources and the waterfall that pays each
 * entitlement from them in order (专项资金 first, then the county's 本级兜底, then charity where donors allow), and
 * the double-entry fund ledger.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Aid")
package org.fuzhi.aid;
