// Package catalog holds the (static) list of items the server renders.
package catalog

// Item is one entry of the catalog.
type Item struct {
	Name  string
	Price int // cents
}

// Items returns the catalog in a fixed order.
func Items() []Item {
	return []Item{
		{Name: "coffee", Price: 350},
		{Name: "tea", Price: 300},
		{Name: "water", Price: 100},
	}
}
