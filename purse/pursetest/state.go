package pursetest

import (
	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/purse"
)

// AddCustomer stores c, giving it an ID when it has none, and returns what
// was stored.
func (h *Handler) AddCustomer(c purse.Customer) purse.Customer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return *h.add(c)
}

func (h *Handler) add(c purse.Customer) *purse.Customer {
	if c.ID == "" {
		c.ID = newID()
	}
	c.Meta = restrict.Meta{}
	h.customers[c.ID] = &c
	return &c
}

// byExternal finds a customer by externalId; h.mu must be held.
func (h *Handler) byExternal(externalID string) *purse.Customer {
	for _, c := range h.customers {
		if c.ExternalID == externalID {
			return c
		}
	}
	return nil
}

// Customer returns the stored customer with this ID.
func (h *Handler) Customer(id string) (purse.Customer, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.customers[id]
	if !ok {
		return purse.Customer{}, false
	}
	return *c, true
}

// AddPurse stores p, giving it an ID when it has none, and returns what was
// stored. Its CustomerID should name a stored customer.
func (h *Handler) AddPurse(p purse.Purse) purse.Purse {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p.ID == "" {
		p.ID = newID()
	}
	if _, ok := h.purses[p.ID]; !ok {
		h.purseOrder = append(h.purseOrder, p.ID)
	}
	h.purses[p.ID] = &p
	return p
}

// AddAddress stores the deposit address of the purse a.PurseID.
func (h *Handler) AddAddress(a purse.Address) purse.Address {
	h.mu.Lock()
	defer h.mu.Unlock()
	a.Meta = restrict.Meta{}
	h.addresses[a.PurseID] = &a
	return a
}

// AddTransaction stores t, giving it an ID when it has none, and returns
// what was stored. transaction/find lists transactions in the order added
// unless asked to sort by createdDate.
func (h *Handler) AddTransaction(t purse.Transaction) purse.Transaction {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.ID == "" {
		t.ID = newID()
	}
	if _, ok := h.transactions[t.ID]; !ok {
		h.txOrder = append(h.txOrder, t.ID)
	}
	h.transactions[t.ID] = &t
	return t
}
