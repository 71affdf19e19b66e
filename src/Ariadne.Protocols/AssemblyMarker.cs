namespace Ariadne.Protocols;
