//! Beliefs and satisfaction (ODD 6.3): Kalman updates from own observation, one
//! network contact per step in rotation, and the platform's pooled reviews.

use super::agents::Arrangement;
use super::Market;

impl Market {
    /// Update belief `b` with news `y` of noise variance `w`.
    #[inline]
    fn learn_belief(&mut self, b: usize, y: f64, w: f64) {
        let v = self.belief_var(&self.beliefs[b]);
        let step = self.step;
        let bel = &mut self.beliefs[b];
        let k = v / (v + w);
        let mean = bel.mean as f64;
        bel.mean = (mean + k * (y - mean)) as f32;
        bel.var = ((1.0 - k) * v) as f32;
        bel.t = step;
    }

    /// The distance-free quality a CCG infers from realised quality `q` of provider `p`.
    #[inline]
    fn distance_free(&self, i: usize, l: usize, p: usize, q: f64) -> f64 {
        q + self.cfg.delivery.distance_penalty * self.lines[l].local * self.distance(i, p)
    }

    /// Value of CCG `i`'s current arrangement on line `l`: quality net of relative price.
    #[inline]
    pub fn value_with(&self, i: usize, l: usize, lambda: f64) -> f64 {
        let ct = &self.con[self.ci(i, l)];
        ct.q - lambda * (ct.price / self.lines[l].cost - 1.0)
    }

    pub fn value(&self, i: usize, l: usize) -> f64 {
        self.value_with(i, l, self.price_sensitivity(i))
    }

    pub fn update_beliefs(&mut self) {
        let nl = self.n_lines();
        let b = &self.cfg.beliefs;
        let (obs, wom) = (b.observation_sd * b.observation_sd, b.word_of_mouth_sd * b.word_of_mouth_sd);
        let memory = self.cfg.satisfaction.memory;
        let platform = self.centre.platform;
        if platform {
            // the pool remembers about half a quarter back
            self.plat_sum.iter_mut().for_each(|x| *x *= 0.5);
            self.plat_n.iter_mut().for_each(|x| *x *= 0.5);
        }
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            let lambda = self.price_sensitivity(i);
            for l in 0..nl {
                let k = self.ci(i, l);
                if let Arrangement::External(p) = self.con[k].arr {
                    let y = self.distance_free(i, l, p.ix(), self.con[k].q);
                    let bi = self.bi(i, l, p.ix());
                    self.learn_belief(bi, y, obs);
                    self.con[k].belief = self.beliefs[bi].mean as f64;
                    self.con[k].belief_of = p.0;
                    if platform && self.ccgs[i].on_platform {
                        let pl = p.ix() * nl + l;
                        self.plat_sum[pl] += y;
                        self.plat_n[pl] += 1.0;
                    }
                }
                let v = self.value_with(i, l, lambda);
                let ct = &mut self.con[k];
                ct.satisfaction += memory * (v - ct.satisfaction);
            }
            let deg = self.ccgs[i].neighbours.len();
            if deg > 0 {
                let j = self.ccgs[i].neighbours[self.step as usize % deg].ix();
                if self.ccgs[j].active {
                    for l in 0..nl {
                        let kj = self.ci(j, l);
                        if let Arrangement::External(p) = self.con[kj].arr {
                            let y = self.distance_free(j, l, p.ix(), self.con[kj].q);
                            let bi = self.bi(i, l, p.ix());
                            self.learn_belief(bi, y, wom);
                        }
                    }
                }
            }
        }
    }

    /// Belief about provider `p` on line `l` as CCG `i` uses it in a choice: its own,
    /// combined with the platform's pooled review when it takes part. (mean, variance)
    #[inline]
    pub fn belief_for_choice(&self, i: usize, l: usize, p: usize) -> (f64, f64) {
        let b = &self.beliefs[self.bi(i, l, p)];
        let v = self.belief_var(b);
        if self.centre.platform && self.ccgs[i].on_platform {
            let pl = p * self.n_lines() + l;
            let n = self.plat_n[pl];
            if n > 1e-9 {
                let ps = self.cfg.beliefs.platform_sd;
                let pv = ps * ps / n;
                let pm = self.plat_sum[pl] / n;
                let prec = 1.0 / v + 1.0 / pv;
                return ((b.mean as f64 / v + pm / pv) / prec, 1.0 / prec);
            }
        }
        (b.mean as f64, v)
    }
}
