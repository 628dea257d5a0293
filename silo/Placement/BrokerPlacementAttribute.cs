using Orleans.Placement;

namespace Hub.Silo.Placement;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class BrokerPlacementAttribute() : PlacementAttribute(BrokerPlacement.Instance);
