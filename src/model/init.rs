//! Initialisation (ODD section 5): populations, CSU patches, other providers, the first
//! arrangements and prices, beliefs, the network, and events dated at the start year.

use super::agents::*;
use super::rng::{noise, normal, uniform, Purpose, Streams};
use super::{Centre, Flows, Market, Scheduled};
use super::events::PolicyKind;
use super::metrics::MetricValues;
use crate::config::Config;
use std::sync::Arc;

/// Log-normal populations rescaled to the total and clipped to the bounds.
fn populations(cfg: &Config, z: &[f64]) -> Vec<f64> {
    let c = &cfg.ccgs;
    let mut pop: Vec<f64> = z.iter().map(|z| libm::exp(c.population_sigma * z)).collect();
    for _ in 0..100 {
        let sum: f64 = pop.iter().sum();
        let k = c.population_total / sum;
        let mut changed = false;
        for x in pop.iter_mut() {
            let y = (*x * k).clamp(c.population_min, c.population_max);
            if (y - *x).abs() > 1e-9 * y {
                changed = true;
            }
            *x = y;
        }
        if !changed {
            break;
        }
    }
    pop.iter().map(|x| x.round()).collect()
}

impl Market {
    /// Build the initial state of one replication from its seed.
    pub fn new(cfg: Arc<Config>, replication_seed: u64) -> Market {
        let streams = Streams::new(replication_seed);
        let lines: Vec<Line> = cfg
            .service_lines
            .iter()
            .map(|l| Line { name: l.name.clone(), scale: l.scale_economies, local: l.local_knowledge, difficulty: l.learning_difficulty, cost: l.cost_per_head, transactional: l.transactional })
            .collect();
        let nl = lines.len();
        let n = cfg.ccgs.count as usize;
        let regions = cfg.geography.regions;

        // --- CSUs
        let mut rs = streams.make(Purpose::InitCsus);
        let cc = &cfg.csus;
        let mut sup: Vec<Supplier> = Vec::new();
        for s in 0..cc.count as usize {
            let w = 1.0 + cc.patch_size_spread * (2.0 * uniform(&mut rs) - 1.0);
            let lp = (cc.leadership_potential + cc.leadership_sd * normal(&mut rs)).clamp(0.05, 1.0);
            let cap: Vec<f64> = (0..nl).map(|_| (cc.capability_initial + cc.capability_sd * normal(&mut rs)).clamp(0.05, 0.95)).collect();
            sup.push(new_supplier(
                format!("CSU{:02}", s + 1),
                SupplierKind::Csu,
                Some(s as u32 % regions),
                Status::Active,
                (1u32 << nl) - 1,
                cap,
                nl,
                cfg.time.steps_per_year as usize,
                SupplierTraits { morale: cc.morale_initial, leadership: cc.leadership_initial.min(lp), leadership_potential: lp, focus: cc.customer_focus_initial, distraction: cc.distraction_initial, sharing: cc.practice_sharing_initial, info_sharing: cc.info_sharing, cost_factor: 1.0, markup0: cc.markup_base },
                w,
            ));
        }
        let n_csu = sup.len();

        // --- other providers
        let mut rp = streams.make(Purpose::InitProviders);
        let pc = &cfg.providers_common;
        for kind in &cfg.providers {
            let allowed: Vec<usize> = if kind.lines.is_empty() {
                (0..nl).collect()
            } else {
                kind.lines.iter().filter_map(|name| lines.iter().position(|l| &l.name == name)).collect()
            };
            for k in 0..kind.count as usize {
                let span = kind.lines_max.min(allowed.len() as u32).max(kind.lines_min) - kind.lines_min + 1;
                let count = (kind.lines_min + (uniform(&mut rp) * span as f64) as u32).min(allowed.len() as u32) as usize;
                // partial Fisher-Yates over the allowed lines
                let mut pool = allowed.clone();
                let mut offers = 0u32;
                for j in 0..count {
                    let last = pool.len() - 1;
                    let pick = j + (uniform(&mut rp) * (pool.len() - j) as f64) as usize;
                    pool.swap(j, pick.min(last));
                    offers |= 1 << pool[j];
                }
                let cap: Vec<f64> = (0..nl).map(|_| (kind.capability_mean + kind.capability_sd * normal(&mut rp)).clamp(0.05, 0.95)).collect();
                let region = if kind.regional { Some(k as u32 % regions) } else { None };
                let mut s = new_supplier(
                    format!("{}{:02}", kind.kind.prefix(), k + 1),
                    SupplierKind::Other(kind.kind),
                    region,
                    Status::NotEntered,
                    offers,
                    cap,
                    nl,
                    cfg.time.steps_per_year as usize,
                    SupplierTraits { morale: pc.morale, leadership: pc.leadership, leadership_potential: pc.leadership, focus: pc.customer_focus, distraction: 0.0, sharing: pc.practice_sharing, info_sharing: pc.info_sharing, cost_factor: kind.cost_factor, markup0: pc.markup },
                    1.0,
                );
                s.capacity = 0.5;
                s.base_volume = kind.scale_population;
                sup.push(s);
            }
        }
        let np = sup.len();

        // --- CCGs: populations, attributes, patches, first arrangements
        let mut rc = streams.make(Purpose::InitCcgs);
        let z: Vec<f64> = (0..n).map(|_| normal(&mut rc)).collect();
        let pop = populations(&cfg, &z);
        let c = &cfg.ccgs;
        let kbar = lines.iter().map(|l| l.local).sum::<f64>() / nl as f64;
        let mut ccgs = Vec::with_capacity(n);
        let mut inhouse = vec![false; n * nl];
        let mut aspirations: Vec<f64> = Vec::with_capacity(n);
        for i in 0..n {
            let region = i as u32 % regions;
            let sessions = c.clinical_sessions_min + (c.clinical_sessions_max - c.clinical_sessions_min) * uniform(&mut rc);
            let orientation = (c.orientation_mean + c.orientation_spread * (2.0 * uniform(&mut rc) - 1.0)).clamp(0.0, 1.0);
            let risk = (c.risk_aversion_mean + c.risk_aversion_spread * (2.0 * uniform(&mut rc) - 1.0)).clamp(0.0, 1.0);
            let multisource = uniform(&mut rc) < c.multisource_share;
            let outcome = uniform(&mut rc) < c.outcome_payment_share;
            let sa = &cfg.satisfaction;
            aspirations.push((sa.aspiration_initial + sa.aspiration_spread * (2.0 * uniform(&mut rc) - 1.0)).clamp(0.0, 1.0));
            // home CSU: in proportion to patch weight among the region's CSUs
            let u = uniform(&mut rc);
            let local: Vec<usize> = (0..n_csu).filter(|&s| sup[s].region == Some(region)).collect();
            let pool: Vec<usize> = if local.is_empty() { (0..n_csu).collect() } else { local };
            let total: f64 = pool.iter().map(|&s| sup[s].patch_weight).sum();
            let mut acc = 0.0;
            let mut home = pool[pool.len() - 1];
            for &s in &pool {
                acc += sup[s].patch_weight / total;
                if u < acc {
                    home = s;
                    break;
                }
            }
            for (l, line) in lines.iter().enumerate() {
                let p = (cfg.inhouse.initial_share + cfg.inhouse.initial_local_weight * (line.local - kbar)).clamp(0.02, 0.95);
                inhouse[i * nl + l] = uniform(&mut rc) < p;
            }
            ccgs.push(Ccg {
                region,
                population: pop[i],
                active: true,
                merged_into: None,
                home_csu: SupplierId(home as u16),
                sessions,
                orientation,
                risk_aversion: risk,
                competence: c.switching_competence_initial,
                multisource,
                outcome_payment: outcome,
                collaboration: 0.0,
                on_platform: false,
                neighbours: Vec::new(),
                spend: 0.0,
                lambda: c.price_sensitivity,
                transition: 0.0,
                paid_external: 0.0,
            });
        }

        // --- network: ties within the region, symmetric, bounded degree
        let mut region_members: Vec<Vec<CcgId>> = vec![Vec::new(); regions as usize];
        for (i, cg) in ccgs.iter().enumerate() {
            region_members[cg.region as usize].push(CcgId(i as u32));
        }
        let mut rn = streams.make(Purpose::Network);
        let deg = c.network_degree as usize;
        let draws = deg.div_ceil(2);
        for i in 0..n {
            let members = &region_members[ccgs[i].region as usize];
            for _ in 0..draws {
                let u = uniform(&mut rn);
                if members.len() < 2 {
                    continue;
                }
                let j = members[(u * members.len() as f64) as usize].ix();
                if j == i || ccgs[i].neighbours.contains(&CcgId(j as u32)) || ccgs[i].neighbours.len() >= 2 * deg || ccgs[j].neighbours.len() >= 2 * deg {
                    continue;
                }
                ccgs[i].neighbours.push(CcgId(j as u32));
                ccgs[j].neighbours.push(CcgId(i as u32));
            }
        }

        // --- centre
        let centre = Centre {
            free_to_leave: false,
            framework: false,
            guidance: false,
            efficiency: false,
            platform: false,
            transparency: cfg.market.price_transparency,
            csu_reach: cfg.market.csu_reach,
            csu_info_sharing: cfg.csus.info_sharing,
            acs_from: None,
            demand: vec![1.0; nl],
            schedule: schedule(&cfg),
        };

        let blank = Contract {
            arr: Arrangement::InHouse,
            price: 0.0,
            term_end: 0,
            notice: 0,
            outcome: false,
            relationship: 0.0,
            pending: None,
            ever_insourced: false,
            forced: false,
            h: 0.0,
            cap: 0.0,
            team_cost: 0.0,
            solo_cost: 0.0,
            learn_factor: 0.0,
            guests: 0,
            guest_pop: 0.0,
            q: 0.0,
            fee: 1.0,
            satisfaction: 0.0,
            aspiration: cfg.satisfaction.aspiration_initial,
            bp: 0.0,
            sp: 0.0,
            info: 0.0,
            belief: 0.0,
            belief_of: u16::MAX,
            paid: 0.0,
            observed: 0.0,
        };
        // priors: the providers' reputation, weighted against ignorance; same for every CCG.
        // A CSU has a slot for every line, offered or not, because an absorber takes on the
        // lines of the CSU it absorbs (`absorb`); other providers' lines are fixed.
        let bc = &cfg.beliefs;
        let mut template = Vec::with_capacity(nl * np);
        let mut belief_pos = vec![u32::MAX; np * nl];
        for l in 0..nl {
            for (p, s) in sup.iter().enumerate() {
                if !s.offers(l) && !s.is_csu() {
                    continue;
                }
                belief_pos[p * nl + l] = template.len() as u32;
                let mean = (1.0 - bc.reputation_weight) * bc.prior_mean + bc.reputation_weight * s.cap[l];
                template.push(Belief { mean: mean as f32, var: (bc.prior_sd * bc.prior_sd) as f32, t: 0 });
            }
        }
        let beliefs_per_ccg = template.len();
        let mut beliefs = Vec::with_capacity(n * beliefs_per_ccg);
        for _ in 0..n {
            beliefs.extend_from_slice(&template);
        }
        let steps_per_year = cfg.time.steps_per_year as usize;
        let mut m = Market {
            lines,
            ccgs,
            con: vec![blank; n * nl],
            sup,
            n_csu,
            beliefs,
            belief_pos,
            beliefs_per_ccg,
            region_members,
            elig: Vec::new(),
            hosts: Vec::new(),
            centre,
            step: 0,
            rng: streams,
            events: Vec::with_capacity(1024),
            record_events: true,
            flows: Flows::new(nl),
            flow_ring: vec![Flows::new(nl); steps_per_year],
            cumulative: Flows::new(nl),
            plat_sum: vec![0.0; np * nl],
            plat_n: vec![0.0; np * nl],
            metrics: MetricValues::new(nl),
            spend_start: 0.0,
            opts: Vec::with_capacity(np + 4),
            scratch_lines: Vec::with_capacity(nl),
            scratch_spend: vec![0.0; np],
            scratch_power: Vec::with_capacity(np),
            scratch_reach: Vec::new(),
            scratch_tally: Vec::new(),
            scratch_rate: Vec::new(),
            scratch_csu: vec![false; np],
            scratch_may: Vec::with_capacity(np * nl),
            scratch_quote: Vec::with_capacity(np * nl),
            scratch_pf: Vec::with_capacity(np),
            next_due: 0,
            scratch_host: vec![0.0; n],
            scratch_u: vec![0.0; 2 * nl],
            scratch_pl: vec![[0.0; 4]; np * nl],
            elig_key: Vec::new(),
            price_disp: Vec::new(),
            cfg,
        };

        // --- first arrangements
        let initial_term = m.cfg.months_to_steps(m.cfg.contracts.initial_term_months);
        let notice = m.cfg.months_to_steps(m.cfg.contracts.notice_months);
        for i in 0..n {
            let home = m.ccgs[i].home_csu;
            let pop_i = m.ccgs[i].population;
            for l in 0..nl {
                let k0 = m.ci(i, l);
                m.con[k0].aspiration = aspirations[i];
                let cap = m.inhouse_cap(l, pop_i);
                let h0 = cap.min(m.cfg.inhouse.initial_capability);
                let k = m.ci(i, l);
                let lf = (1.0 - m.lines[l].difficulty) * super::pow_exp_ln(m.ccgs[i].sessions / 3.0, m.lines[l].local);
                let ct = &mut m.con[k];
                ct.cap = cap;
                ct.learn_factor = lf;
                if inhouse[k] {
                    ct.arr = Arrangement::InHouse;
                    ct.h = h0;
                } else {
                    ct.arr = Arrangement::External(home);
                    ct.h = (m.cfg.inhouse.residual_capability * h0).max(m.cfg.inhouse.floor.min(h0));
                    ct.term_end = initial_term;
                    ct.notice = notice;
                    ct.outcome = m.ccgs[i].outcome_payment;
                }
            }
        }
        // persistent CCG-provider price factors (opaque, discriminating prices)
        let mut rpr = m.rng.make(Purpose::Prices);
        let disp = m.cfg.csus.price_dispersion;
        m.price_disp = (0..n * np).map(|_| disp * noise(&mut rpr)).collect();
        m.tally_volumes();
        for i in 0..n {
            for l in 0..nl {
                let k = m.ci(i, l);
                if let Arrangement::External(p) = m.con[k].arr {
                    let u = m.unit_cost(p.ix(), l);
                    let mu = (m.sup[p.ix()].markup0 + m.price_disp[i * np + p.ix()]).clamp(m.cfg.csus.markup_min, m.cfg.csus.markup_max);
                    m.con[k].price = u * (1.0 + mu);
                }
            }
        }
        for i in 0..n {
            for l in 0..nl {
                m.refresh_team(i, l);
            }
        }
        m.refresh_team_prices();
        // capacity and reserves from the initial load and revenue
        for p in 0..n_csu {
            let load = m.sup[p].load();
            m.sup[p].capacity = m.cfg.csus.capacity_headroom * load.max(0.1);
        }
        let mut annual = vec![0.0; np];
        for i in 0..n {
            for l in 0..nl {
                let k = m.ci(i, l);
                if let Arrangement::External(p) = m.con[k].arr {
                    annual[p.ix()] += m.con[k].price * m.ccgs[i].population;
                }
            }
        }
        for p in 0..n_csu {
            m.sup[p].reserves = m.cfg.csus.reserves_initial * annual[p];
            let per_step = annual[p] / steps_per_year as f64;
            m.sup[p].revenue_ring.iter_mut().for_each(|x| *x = per_step);
            m.sup[p].revenue_year = annual[p];
        }
        // beliefs about the home CSU: CCGs know their PCT's successor
        let own_var = m.cfg.beliefs.initial_own_sd * m.cfg.beliefs.initial_own_sd;
        for i in 0..n {
            let h = m.ccgs[i].home_csu.ix();
            for l in 0..nl {
                let b = m.bi(i, l, h);
                m.beliefs[b] = Belief { mean: m.sup[h].cap[l] as f32, var: own_var as f32, t: 0 };
            }
        }
        // expected quality stands in for realised quality at step 0
        m.deliver_expected();
        // the first agreements price the fee reductions suppliers expect on outcome-based terms
        let (mut kept, mut full) = (vec![0.0; np], vec![0.0; np]);
        for k in 0..m.con.len() {
            if let (Arrangement::External(p), true) = (m.con[k].arr, m.con[k].outcome) {
                let w = m.con[k].price * m.ccgs[k / nl].population;
                kept[p.ix()] += w * m.con[k].fee;
                full[p.ix()] += w;
            }
        }
        for p in 0..np {
            if full[p] > 0.0 {
                m.sup[p].outcome_fee = kept[p] / full[p];
            }
        }
        for k in 0..m.con.len() {
            if let (Arrangement::External(p), true) = (m.con[k].arr, m.con[k].outcome) {
                m.con[k].price *= m.outcome_premium(p.ix(), true);
            }
        }
        for k in 0..m.con.len() {
            let i = k / nl;
            let l = k % nl;
            let v = m.value(i, l);
            m.con[k].satisfaction = v;
        }
        m.record_events = true;
        m.run_centre();
        m.tally_volumes();
        m.refresh_eligibility();
        m.assess_information();
        m.assess_power();
        m.refresh_spend();
        for i in 0..n {
            m.ccgs[i].lambda = m.compute_lambda(i);
        }
        m.record_metrics();
        m.spend_start = m.metrics.national[super::Metric::SpendTotal as usize];
        m
    }
}

struct SupplierTraits {
    morale: f64,
    leadership: f64,
    leadership_potential: f64,
    focus: f64,
    distraction: f64,
    sharing: f64,
    info_sharing: f64,
    cost_factor: f64,
    markup0: f64,
}

#[allow(clippy::too_many_arguments)]
fn new_supplier(name: String, kind: SupplierKind, region: Option<u32>, status: Status, offers: u32, cap: Vec<f64>, nl: usize, steps_per_year: usize, t: SupplierTraits, patch_weight: f64) -> Supplier {
    Supplier {
        name,
        kind,
        region,
        status,
        externalised: false,
        private_partner: false,
        offers,
        slots: 0,
        wind_down: false,
        cap,
        capacity: 0.0,
        morale: t.morale,
        leadership: t.leadership,
        leadership_potential: t.leadership_potential,
        focus: t.focus,
        distraction: t.distraction,
        sharing: t.sharing,
        info_sharing: t.info_sharing,
        efficiency: 1.0,
        cost_factor: t.cost_factor,
        base_volume: 0.0,
        markup0: t.markup0,
        reserves: 0.0,
        investment_intensity: 0.0,
        entry_step: None,
        idle_steps: 0,
        patch_weight,
        vol: vec![0.0; nl],
        customers: vec![0; nl],
        partnership: vec![0.0; nl],
        rate: 0.0,
        revenue: 0.0,
        cost: 0.0,
        outcome_revenue: 0.0,
        outcome_full: 0.0,
        outcome_fee: 1.0,
        dev_funds: 0.0,
        revenue_ring: vec![0.0; steps_per_year],
        revenue_year: 0.0,
        bp_mean: 0.5,
        gap_mean: 0.0,
        stretch: 0.0,
        scale_f: vec![1.0; nl],
        scale_v: vec![f64::NAN; nl],
        quote_f: vec![1.0; nl],
        learn_z: vec![0.0; nl],
        list: vec![0.0; nl],
    }
}

/// The policy events of a configuration in firing order (by year, then a fixed order).
fn schedule(cfg: &Config) -> Vec<(f64, Scheduled, bool)> {
    let p = &cfg.policy;
    let mut s: Vec<(f64, Scheduled, bool)> = Vec::new();
    let mut add = |y: Option<f64>, k: PolicyKind| {
        if let Some(y) = y {
            s.push((y, Scheduled::Policy(k), false));
        }
    };
    add(p.checkpoints.year, PolicyKind::Checkpoints);
    add(p.authorisation_end.year, PolicyKind::AuthorisationEnd);
    add(p.market_opening.year, PolicyKind::MarketOpening);
    add(p.framework.year, PolicyKind::Framework);
    add(p.externalisation.year, PolicyKind::Externalisation);
    add(p.insourcing_guidance.year, PolicyKind::InsourcingGuidance);
    add(p.efficiency_requirement.year, PolicyKind::EfficiencyRequirement);
    add(p.platform.year, PolicyKind::Platform);
    add(p.acs_shift.year, PolicyKind::AcsShift);
    for (k, w) in p.ccg_mergers.iter().enumerate() {
        s.push((w.year, Scheduled::MergerWave(k), false));
    }
    // stable: equal years keep the order above
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    s
}
